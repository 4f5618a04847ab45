#!/usr/bin/env bash
# Installs the Ollama server the sidecar's tests run against, into a project tool cache.
#
# Pinned to v0.10.1: it is the last tag whose `go install` builds a working CPU server on its own
# (cgo compiles the vendored ggml/llama.cpp); later tags need files Go module zips drop, or CMake
# plus a git clone. A cold build takes ~2.5 min on 2 cores, so an existing binary is reused.
#
# Usage: scripts/install-ollama.sh        (env OLLAMA_LENS_TOOLS overrides the cache dir)
# The last line printed on stdout is the binary's path; progress goes to stderr.
set -euo pipefail

OLLAMA_VERSION="v0.10.1"
tools_dir="${OLLAMA_LENS_TOOLS:-$HOME/.cache/ollama-lens}"
bin="$tools_dir/bin/ollama"

# `ollama --version` exits 0 without a server (it only warns), so it proves the binary runs.
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "ollama $OLLAMA_VERSION already installed" >&2
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-ollama: Go is required to build ollama $OLLAMA_VERSION (go install), but 'go' is not on PATH" >&2
  exit 1
fi

mkdir -p "$tools_dir/bin"
echo "building ollama $OLLAMA_VERSION with $(go version) into $tools_dir/bin (about 2-3 minutes)..." >&2
# Run outside any Go module so `go install pkg@version` ignores a go.mod in the caller's cwd.
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
cd "$work_dir"
GOBIN="$tools_dir/bin" go install "github.com/ollama/ollama@$OLLAMA_VERSION" >&2

if ! "$bin" --version >/dev/null 2>&1; then
  echo "install-ollama: built $bin but it does not run" >&2
  exit 1
fi
echo "$bin"
