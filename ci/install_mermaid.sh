#!/usr/bin/env bash
# Installs Mermaid and jsdom (pinned with their lockfile in ci/mermaid/) into DIR, for
# ci/check_exports.mjs.
#
#   bash ci/install_mermaid.sh DIR
#   node ci/check_exports.mjs --mermaid-dir DIR EXPORTS_DIR...
set -euo pipefail

dir=${1:?usage: install_mermaid.sh DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "install_mermaid: $tool not found (Node 20+ needed)" >&2; exit 1; }
done
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "install_mermaid: Node $(node --version) is too old, 20+ needed" >&2
  exit 1
fi

# Already installed at the pinned versions?
pinned() {
  node -e '
    const [want, dir] = process.argv.slice(1);
    const deps = require(want).dependencies;
    for (const [name, version] of Object.entries(deps)) {
      let got;
      try { got = require(`${dir}/node_modules/${name}/package.json`).version; } catch { process.exit(1); }
      if (got !== version) process.exit(1);
    }' "$here/mermaid/package.json" "$dir"
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if pinned; then
  echo "install_mermaid: pinned mermaid and jsdom already in $dir"
  exit 0
fi

cp "$here/mermaid/package.json" "$here/mermaid/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund)
pinned || { echo "install_mermaid: installed versions differ from ci/mermaid/package.json" >&2; exit 1; }
echo "install_mermaid: $(node -p 'Object.entries(require(process.argv[1]).dependencies).map(([n, v]) => n + "@" + v).join(", ")' "$here/mermaid/package.json") installed in $dir"
