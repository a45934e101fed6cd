#!/usr/bin/env bash
# What the rollback-ssh tests need beyond a JDK: OpenSSH's server (the tests start it themselves on a
# free loopback port with a generated config, host key and user key; nothing is started here), sudo,
# and two login users: an ordinary one for the faults only a non-root user meets (a read-only folder, a
# sudo that wants a password) and one with passwordless sudo. Idempotent.
set -euo pipefail

need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v sudo >/dev/null 2>&1 || need+=(sudo)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${need[@]}"
fi

# the package may have started its own daemon on port 22 (on a machine with an init system); the tests do
# not use it and must not depend on it, so leave it as the machine's administrator configured it.

# sshd refuses to start without its privilege-separation folder
mkdir -p /run/sshd
chmod 0755 /run/sshd

# an ordinary user with a POSIX login shell and no sudo rights
if ! id rollback-test >/dev/null 2>&1; then
  useradd --create-home --shell /bin/sh rollback-test
fi
# useradd leaves the password '!' (locked), and sshd refuses even key logins to a locked account; '*'
# refuses every password yet allows keys
usermod -p '*' rollback-test

# and one allowed passwordless sudo, for the tests of SshHost.Builder#sudo(); like rollback-test it has no
# password, so it can only log in with a key the tests generate and install in their own sshd
if ! id rollback-sudo >/dev/null 2>&1; then
  useradd --create-home --shell /bin/sh rollback-sudo
fi
usermod -p '*' rollback-sudo
printf 'rollback-sudo ALL=(root) NOPASSWD: ALL\n' > /etc/sudoers.d/rollback-sudo
chmod 0440 /etc/sudoers.d/rollback-sudo
visudo -cf /etc/sudoers.d/rollback-sudo >/dev/null

echo "sshd: $(/usr/sbin/sshd -V 2>&1 | head -1 || true); sudo: $(sudo -V | head -1); user: $(id rollback-test)"
