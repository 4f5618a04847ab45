#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything the project needs on a fresh Debian machine:
# system packages, the Ollama binary (built from source), npm dependencies, and the builds.
# Fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in prometheus:prometheus promtool:prometheus nginx:nginx-light wrk:wrk docker-compose:docker-compose; do
  cmd=${pair%%:*} pkg=${pair##*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Chromium (and fonts for its text) for the plugin's browser suite, driven by playwright-core: no browser download.
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/dejavu ]; then
  echo "setup: installing chromium"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-liberation >/dev/null
fi

# PostgreSQL 15 (Debian's) for the PostgreSQL store's tests (testkit/postgres.ts runs initdb itself).
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "setup: installing postgresql"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

bash scripts/install-ollama.sh
# Jaeger, the OTLP receiver of the OpenTelemetry tests: ~10 min of CPU once, then reused.
bash scripts/install-jaeger.sh
# otelcol-validate, the collector build that validates otel-collector/config.yaml (compose profile `otel`).
bash scripts/install-otelcol.sh
# chDB (ClickHouse's engine, PyPI chdb-core) for the test of docs/clickhouse.md's SQL.
bash scripts/install-chdb.sh

# npm dependencies: reinstall only when the lock file changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
marker=node_modules/.ollama-lens-lock
if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$marker"
fi

npm run build --workspaces --if-present
echo "setup: done"
