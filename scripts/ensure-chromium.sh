#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (tests/browser/).
#
# Playwright cannot download its own browser on this network, so the tests launch
# /usr/bin/chromium. If it is missing, install the Debian package non-interactively
# (needs root, as on the project's machines and CI). CHROMIUM overrides the path.
set -euo pipefail

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$chromium" ]]; then
  exit 0
fi

echo "ensure-chromium: $chromium not found; installing Debian's chromium" >&2
sudo=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "ensure-chromium: not root and no sudo; install chromium yourself" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q chromium
"$chromium" --version
