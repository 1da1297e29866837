#!/usr/bin/env bash
# Headless Chromium for tests/test_report_browser.py (Debian's `chromium` package); installs it only if missing.
set -euo pipefail
for exe in chromium chromium-browser google-chrome; do
    if command -v "$exe" >/dev/null 2>&1; then
        echo "setup_chromium: $(command -v "$exe") present"
        exit 0
    fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "setup_chromium: installed $(command -v chromium)"
