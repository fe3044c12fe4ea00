#!/usr/bin/env bash
# Manual check that the web page works in Firefox (not part of `make test`: it needs npm and Debian's firefox-esr).
# Usage: bash scripts/check_firefox.sh   (after `make demo`; CSC=path/to/csc and DEMO=folder override the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v firefox-esr >/dev/null || { echo "installing firefox-esr"; apt-get install -y -qq firefox-esr >/dev/null; }
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent puppeteer-core >/dev/null)
cp scripts/firefox/check.mjs "$work/"
CSC=${CSC:-.venv/bin/csc}
DEMO=${DEMO:-demo-output}
files=("$(cd "$DEMO" && pwd)"/with-errors/383/2025_26/ssda903/*.csv)
"$CSC" serve --no-open --port 0 >"$work/serve.out" &
server=$!
sleep 3
url=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[A-Za-z0-9_-]*' "$work/serve.out")  # with this start's secret
(cd "$work" && node check.mjs "$url" "${files[@]}")
"$CSC" validate 903 "${files[@]}" --la 383 | head -1 || true
