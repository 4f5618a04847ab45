#!/usr/bin/env bash
# Installs the Jaeger all-in-one that the sidecar's OpenTelemetry tests export spans to, into the
# project tool cache (next to the Ollama binary).
#
# Pinned to v1.76.0 by the Go module sidecar/test/harness/jaeger (a `tool` directive with its
# go.sum), so the build is reproducible. A cold build takes ~10 min CPU and gives a ~120 MB
# binary, so an existing binary is reused; the build runs at the lowest CPU priority.
#
# Usage: scripts/install-jaeger.sh        (env OLLAMA_LENS_TOOLS overrides the cache dir)
# The last line printed on stdout is the binary's path; progress goes to stderr.
set -euo pipefail

JAEGER_VERSION="v1.76.0"
module_dir="$(cd "$(dirname "$0")/../sidecar/test/harness/jaeger" && pwd)"
tools_dir="${OLLAMA_LENS_TOOLS:-$HOME/.cache/ollama-lens}"
bin="$tools_dir/bin/jaeger"

# `jaeger version` prints the build info and exits without starting anything.
if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  echo "jaeger $JAEGER_VERSION already installed" >&2
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-jaeger: Go is required to build jaeger $JAEGER_VERSION (go build), but 'go' is not on PATH" >&2
  exit 1
fi

mkdir -p "$tools_dir/bin"
echo "building jaeger $JAEGER_VERSION with $(go version) into $tools_dir/bin (about 10 minutes of CPU)..." >&2
# Build to a temporary name and rename, so an interrupted build never leaves a broken binary.
tmp_bin="$bin.partial.$$"
trap 'rm -f "$tmp_bin"' EXIT
(cd "$module_dir" && nice -n 19 go build -trimpath -o "$tmp_bin" github.com/jaegertracing/jaeger/cmd/jaeger) >&2
mv "$tmp_bin" "$bin"

if ! "$bin" version >/dev/null 2>&1; then
  echo "install-jaeger: built $bin but it does not run" >&2
  exit 1
fi
echo "$bin"
