#!/usr/bin/env bash
# The HTML incident reports are tested by rendering them in a real headless browser: install Debian's chromium
# if missing. Runs as root on a clean Debian 12; idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(chromium --version 2>/dev/null)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium fonts-dejavu-core
chromium --version
