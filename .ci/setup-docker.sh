#!/usr/bin/env bash
# rollback-docker's tests drive a real Docker engine: install Debian's docker.io, docker-compose (1.29,
# the only compose Debian 12 has) and busybox-static (the test images are built from it, no registry),
# then start dockerd without a bridge or iptables rules if it is not running, and wait for it.
# Runs as root on a clean Debian 12; idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
[ -x /usr/bin/busybox ] || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

if docker version >/dev/null 2>&1; then
  echo "docker engine already answers: $(docker version --format '{{.Server.Version}}')"
  exit 0
fi

# every test container uses the host's network and listens on 127.0.0.1: no bridge, no NAT rules
log=/var/log/rollback-dockerd.log
setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false --ip-masq=false >"$log" 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if docker version >/dev/null 2>&1; then
    echo "docker engine started: $(docker version --format '{{.Server.Version}}')"
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within 60 s; its log ($log) ends with:" >&2
tail -n 30 "$log" >&2 || true
exit 1
