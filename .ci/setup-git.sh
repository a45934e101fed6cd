#!/usr/bin/env bash
# rollback-git's tests run the git program (the CLI driver) as well as JGit: install git if missing.
# Runs as root on a clean Debian 12; idempotent.
set -euo pipefail
if command -v git >/dev/null 2>&1; then
  echo "git already installed: $(git --version)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends git
git --version
