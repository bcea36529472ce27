#!/usr/bin/env bash
# Installs what the browser tests need that npm does not: Debian's Chromium and a CJK font
# (without it Chinese renders as boxes in screenshots). Idempotent and quick when present.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'wqy'; then exit 0; fi
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
