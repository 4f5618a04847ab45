#!/usr/bin/env bash
# Installs chDB (ClickHouse's engine as a Python package, PyPI chdb-core) into a virtualenv in the project tool
# cache, for the test that runs docs/clickhouse.md's SQL against the OpenTelemetry ClickHouse exporter's tables.
# No ClickHouse server is needed (Debian's clickhouse-server is 18.16, too old for the exporter's schema).
# About 30 s (a 180 MB wheel); an existing install of the pinned version is reused.
#
# Usage: scripts/install-chdb.sh        (env OLLAMA_LENS_TOOLS overrides the cache dir)
# The last line printed on stdout is the virtualenv's python; progress goes to stderr.
set -euo pipefail

CHDB_VERSION="26.9.0"
tools_dir="${OLLAMA_LENS_TOOLS:-$HOME/.cache/ollama-lens}"
venv="$tools_dir/chdb"
py="$venv/bin/python"

if [ -x "$py" ] && [ "$("$py" -c 'import chdb; print(chdb.__version__)' 2>/dev/null)" = "$CHDB_VERSION" ]; then
  echo "chdb $CHDB_VERSION already installed" >&2
  echo "$py"
  exit 0
fi

echo "installing chdb-core $CHDB_VERSION into $venv..." >&2
rm -rf "$venv"
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "chdb-core==$CHDB_VERSION" >&2
"$py" -c 'import chdb; chdb.query("SELECT 1")' >&2
echo "$py"
