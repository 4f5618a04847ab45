// Sums jest JSON reports into the one closing line CI reads: "N passed, N failed".
// A suite that failed to run (syntax error, failed setup) counts as one failed test, so it cannot hide.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
const files = process.argv.slice(2).filter((f) => !f.includes('*'));
for (const file of files) {
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
