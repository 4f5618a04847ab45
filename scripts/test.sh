#!/usr/bin/env bash
# Runs the static gates (type-checks, eslint, prettier: scripts/gates.mjs), then every workspace's tests
# once (jest, JSON reports in reports/), then the plugin's Chromium suite (plugin/browser: the built plugin in a real browser against a real sidecar, Ollama and Prometheus),
# and ends with the line "N passed, N failed" summed over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports
rm -f reports/jest-*.json reports/gates.json
status=0
node scripts/gates.mjs || status=1
for ws in $(node -p "require('./package.json').workspaces.join(' ')"); do
  if node -e "process.exit(require('./$ws/package.json').scripts?.test ? 0 : 1)"; then
    npm run test -w "$ws" -- --ci --json --outputFile="$PWD/reports/jest-$ws.json" || status=1
  fi
done
# Screenshots of every page land in reports/screenshots (npm run screenshots writes docs/screenshots).
npm run test:browser -w plugin -- --json --outputFile="$PWD/reports/jest-browser.json" || status=1
node scripts/test-summary.mjs reports/gates.json reports/jest-*.json || status=1
exit $status
