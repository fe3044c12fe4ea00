#!/usr/bin/env bash
# Installs axe-core (the accessibility checker, from npm) for the browser tests of the page and the HTML report
# (tests/test_web_access.py), into .tools/axe (git-ignored), if missing. Needs npm; without it the tests are skipped
# (they fail under CI=true).
set -euo pipefail
AXE_VERSION="4.14.1"
TARGET="$(cd "$(dirname "$0")/.." && pwd)/.tools/axe"
if [ -f "$TARGET/node_modules/axe-core/axe.min.js" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install_axe: npm is missing; the accessibility tests will be skipped" >&2
    exit 0
fi
echo "install_axe: installing axe-core $AXE_VERSION from npm into $TARGET (once)"
mkdir -p "$TARGET"
npm install --prefix "$TARGET" --no-save --no-audit --no-fund --silent "axe-core@$AXE_VERSION"
