#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test of `csc serve` (tests/test_web_browser.py), if missing.
# Needs root or password-less sudo; otherwise it says so and the browser test is skipped (it fails under CI=true).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "${CSCTOOLS_CHROMIUM:-}" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: no apt-get here; install Chromium and set CSCTOOLS_CHROMIUM=/path/to/chromium" >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install_browser: Chromium is missing and this user cannot install packages; the browser test will be skipped" >&2
    exit 0
fi
echo "install_browser: installing Debian's chromium package (once)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
