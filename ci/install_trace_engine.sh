#!/usr/bin/env bash
# Installs the DevTools trace engine (@paulirish/trace_engine, pinned with its
# lockfile in ci/trace_engine/) into DIR, for ci/check_chrome_trace.mjs.
#
#   bash ci/install_trace_engine.sh DIR
#   node ci/check_chrome_trace.mjs --engine-dir DIR TRACE.json...
set -euo pipefail

dir=${1:?usage: install_trace_engine.sh DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
want=$(node -p 'require(process.argv[1]).dependencies["@paulirish/trace_engine"]' "$here/trace_engine/package.json")

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "install_trace_engine: $tool not found (Node 20+ needed)" >&2; exit 1; }
done
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "install_trace_engine: Node $(node --version) is too old, 20+ needed" >&2
  exit 1
fi

mkdir -p "$dir"
installed="$dir/node_modules/@paulirish/trace_engine/package.json"
if [ -f "$installed" ] && [ "$(node -p 'require(process.argv[1]).version' "$installed")" = "$want" ]; then
  echo "install_trace_engine: @paulirish/trace_engine@$want already in $dir"
  exit 0
fi

cp "$here/trace_engine/package.json" "$here/trace_engine/package-lock.json" "$dir/"
(cd "$dir" && npm install --no-audit --no-fund)
echo "install_trace_engine: @paulirish/trace_engine@$want installed in $dir"
