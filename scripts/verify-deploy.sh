#!/usr/bin/env bash
# Verifies the deployment recipes in deploy/ and the Dockerfile:
#   1. `systemd-analyze verify` on every unit, in a temporary root that holds the host's system units
#      and stand-ins for the programs the units start (so the check does not depend on what this
#      machine has installed at /usr/bin); any warning fails;
#   2. a unit with a deliberate typo must fail the same check (the check can fail);
#   3. the hardening the README promises is in the unit, and the unit, `npm run start:prod` and the
#      Dockerfile start the same compiled entry point.
# Needs systemd-analyze (Debian: package systemd); installs it when run as root without it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v systemd-analyze >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing systemd (for systemd-analyze)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null; }
  else
    echo "systemd-analyze not found: install Debian's systemd package" >&2
    exit 1
  fi
fi

units=(deploy/*.service deploy/*.timer)
fail=0

# verify DIR UNIT... : prints systemd-analyze's complaints; returns non-zero on any.
verify() {
  local src=$1 root out rc=0 exe
  shift
  root=$(mktemp -d)
  mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd"
  cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
  for u in "$@"; do cp "$src/$u" "$root/etc/systemd/system/"; done
  # Stand-ins for the executables the units name (ExecStart=/usr/bin/node …, with or without a prefix).
  for exe in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\(\/[^ ]*\).*/\1/p' "$src"/*.service | sort -u); do
    mkdir -p "$root$(dirname "$exe")"
    printf '#!/bin/sh\n' >"$root$exe"
    chmod +x "$root$exe"
  done
  out=$(cd "$root/etc/systemd/system" && systemd-analyze verify --man=no --root="$root" "$@" 2>&1) || rc=$?
  rm -rf "$root"
  if [ $rc != 0 ] || [ -n "$out" ]; then
    printf '%s\n' "$out"
    return 1
  fi
}

names=()
for u in "${units[@]}"; do names+=("$(basename "$u")"); done
if verify deploy "${names[@]}"; then
  echo "ok: systemd-analyze verify ${names[*]}"
else
  echo "FAIL: systemd-analyze verify found problems in deploy/" >&2
  fail=1
fi

# The check must be able to fail: a misspelt key in a copy of the unit.
tmp=$(mktemp -d)
sed 's/^NoNewPrivileges=yes/NoNewPrivilege=yes/' deploy/meetbot.service >"$tmp/meetbot.service"
if verify "$tmp" meetbot.service >/dev/null 2>&1; then
  echo "FAIL: systemd-analyze verify accepted a unit with a misspelt key" >&2
  fail=1
else
  echo "ok: a misspelt key is caught"
fi
rm -rf "$tmp"

# What the README promises about the unit.
unit=deploy/meetbot.service
require() {
  if grep -qx "$1" "$unit"; then echo "ok: $unit has $1"; else
    echo "FAIL: $unit lacks the line $1" >&2
    fail=1
  fi
}
require 'User=meetbot'
require 'NoNewPrivileges=yes'
require 'ProtectSystem=strict'
require 'ReadWritePaths=/var/lib/meetbot'
require 'StateDirectory=meetbot'
require 'Restart=on-failure'
require 'KillSignal=SIGTERM'

# One start command: the unit, `npm run start:prod` and the container all run dist/src/main.js.
entry=$(node -p 'require("./package.json").scripts["start:prod"]')
[ "$entry" = 'node dist/src/main.js' ] || { echo "FAIL: start:prod is '$entry'" >&2; fail=1; }
grep -q '^ExecStart=/usr/bin/node /opt/meetbot/dist/src/main.js --config /etc/meetbot/config.json$' "$unit" \
  || { echo "FAIL: $unit does not start /opt/meetbot/dist/src/main.js" >&2; fail=1; }
if [ -f Dockerfile ]; then
  grep -q '^CMD \["node", "dist/src/main.js", "--config", "/data/config.json"\]' Dockerfile \
    || { echo "FAIL: the Dockerfile does not start dist/src/main.js" >&2; fail=1; }
  grep -q '^WORKDIR /opt/meetbot' Dockerfile || { echo "FAIL: the Dockerfile's WORKDIR is not /opt/meetbot" >&2; fail=1; }
  echo "ok: unit, start:prod and Dockerfile start the same entry point from /opt/meetbot"
fi

exit $fail
