#!/usr/bin/env sh
# Install Debian's Chromium for the report's browser test (tests/test_report.py), unless it is
# there already. Playwright's own browser download is not used: the machines reach package
# registries only, and Debian's chromium is one of them.
set -eu
BROWSER="${KP_EXTRACT_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$BROWSER" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install_browser: $BROWSER not found and no root to install it; run 'apt-get install chromium' as root" >&2
    echo "  (or set KP_EXTRACT_CHROMIUM to a Chromium binary)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null \
    || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends chromium >/dev/null; }
[ -x "$BROWSER" ] || { echo "install_browser: chromium did not install at $BROWSER" >&2; exit 1; }
