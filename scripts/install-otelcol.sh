#!/usr/bin/env bash
# Installs otelcol-validate, the OpenTelemetry Collector build that the stack test uses to validate
# otel-collector/config.yaml (the compose profile `otel`), into the project tool cache (next to Jaeger's).
#
# Pinned by the Go module sidecar/test/stack/otelcol (go.mod/go.sum: contrib 0.161.0 components, the release
# of the image docker-compose.yaml runs). Measured on 2 shared cores at nice 19: 344 s with an empty Go build
# cache (modules already downloaded), ~110 s after Jaeger's build has warmed it (setup runs that first); a
# binary built from the same module files is reused in seconds.
#
# Usage: scripts/install-otelcol.sh        (env OLLAMA_LENS_TOOLS overrides the cache dir)
# The last line printed on stdout is the binary's path; progress goes to stderr.
set -euo pipefail

module_dir="$(cd "$(dirname "$0")/../sidecar/test/stack/otelcol" && pwd)"
tools_dir="${OLLAMA_LENS_TOOLS:-$HOME/.cache/ollama-lens}"
bin="$tools_dir/bin/otelcol-validate"
stamp="$bin.source-sha256"
# The binary matches the module files it was built from; a version bump in go.mod rebuilds it.
source_hash=$(cat "$module_dir/go.mod" "$module_dir/go.sum" "$module_dir/main.go" | sha256sum | cut -d' ' -f1)

if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$source_hash" ] && "$bin" --version >/dev/null 2>&1; then
  # The stack test also reads the components' config.schema.yaml from the module cache: make sure the modules
  # are still there (a second or two when they are).
  (cd "$module_dir" && go list -deps . >/dev/null) >&2
  echo "otelcol-validate already installed" >&2
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-otelcol: Go is required to build otelcol-validate (go build), but 'go' is not on PATH" >&2
  exit 1
fi

mkdir -p "$tools_dir/bin"
echo "building otelcol-validate with $(go version) into $tools_dir/bin..." >&2
# Build to a temporary name and rename, so an interrupted build never leaves a broken binary.
tmp_bin="$bin.partial.$$"
trap 'rm -f "$tmp_bin"' EXIT
(cd "$module_dir" && nice -n 19 go build -trimpath -o "$tmp_bin" .) >&2
"$tmp_bin" --version >/dev/null
mv "$tmp_bin" "$bin"
echo "$source_hash" > "$stamp"
echo "$bin"
