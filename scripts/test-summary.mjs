// Sums jest JSON reports and the static gates (reports/gates.json, from gates.mjs) into the one closing
// line CI reads: "N passed, N failed". A suite that failed to run (syntax error, failed setup) counts as
// one failed test, so it cannot hide; so does a missing gates report.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
const files = process.argv.slice(2).filter((f) => !f.includes('*'));
const gatesFile = files.find((f) => f.endsWith('gates.json'));
if (gatesFile === undefined) {
  console.error('no gates report was written');
  failed += 1;
}
for (const file of files) {
  if (file === gatesFile) {
    for (const gate of JSON.parse(readFileSync(file, 'utf8')).gates) {
      if (gate.ok) passed += 1;
      else failed += 1;
    }
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  for (const suite of r.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).every((a) => a.status !== 'failed')) {
      failed += 1;
      console.error(`suite failed to run: ${suite.name}\n${(suite.message ?? '').slice(0, 2000)}`);
    }
  }
  if (r.numRuntimeErrorTestSuites && !r.testResults?.length) failed += r.numRuntimeErrorTestSuites;
}
if (files.length === 0) {
  console.error('no test reports were written');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
