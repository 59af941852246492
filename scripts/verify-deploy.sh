#!/usr/bin/env bash
# Verifies the deployment recipes in deploy/ and the Dockerfile:
#   1. `systemd-analyze verify` on every unit, in a temporary root that holds the host's system units
#      and stand-ins for the programs the units start (so the check does not depend on what this
#      machine has installed at /usr/bin); any warning fails;
#   2. a unit with a deliberate typo must fail the same check (the check can fail);
#   3. the hardening the README promises is in the unit, and the unit, `npm run start:prod` and the
#      Dockerfile start the same compiled entry point;
#   3b. the layout the README's systemd commands install (release list, Node location, units copied from
#      the release) has every path the unit names, and passes `systemd-analyze verify` as installed;
#   4. the backup service's commands, run on a scratch database, make a readable copy and keep 14.
# Needs systemd-analyze (Debian: package systemd) and sqlite3; installs them when run as root without.
set -euo pipefail
cd "$(dirname "$0")/.."

# need COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is missing (as root), else fails.
need() {
  command -v "$1" >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing $2 (for $1)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
  else
    echo "$1 not found: install Debian's $2 package" >&2
    exit 1
  fi
}
need systemd-analyze systemd
need sqlite3 sqlite3

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
require 'RestartPreventExitStatus=2'
require 'Environment="NODE_OPTIONS=--max-semi-space-size=4 --expose-gc"'
require 'Environment=LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'
require 'Environment=MALLOC_CONF=narenas:1,tcache:false'

# One start command: the unit, `npm run start:prod` and the container all run dist/src/main.js.
entry=$(node -p 'require("./package.json").scripts["start:prod"]')
[ "$entry" = 'exec bash scripts/node-runtime.sh dist/src/main.js' ] || { echo "FAIL: start:prod is '$entry'" >&2; fail=1; }
grep -q '^ExecStart=/opt/meetbot/node/node_modules/node/bin/node /opt/meetbot/dist/src/main.js --config /etc/meetbot/config.json$' "$unit" \
  || { echo "FAIL: $unit does not start /opt/meetbot/dist/src/main.js with /opt/meetbot/node" >&2; fail=1; }
if [ -f Dockerfile ]; then
  grep -q '^CMD \["node", "dist/src/main.js", "--config", "/data/config.json"\]' Dockerfile \
    || { echo "FAIL: the Dockerfile does not start dist/src/main.js" >&2; fail=1; }
  grep -q '^WORKDIR /opt/meetbot' Dockerfile || { echo "FAIL: the Dockerfile's WORKDIR is not /opt/meetbot" >&2; fail=1; }
  # The same memory settings (docs/benchmarks.md): the V8 flag, and jemalloc preloaded with its settings.
  grep -q '^ENV NODE_OPTIONS="--max-semi-space-size=4 --expose-gc" LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 MALLOC_CONF=narenas:1,tcache:false$' Dockerfile \
    || { echo "FAIL: the Dockerfile lacks the memory settings of the unit" >&2; fail=1; }
  echo "ok: unit, start:prod and Dockerfile start the same entry point from /opt/meetbot"
fi

# The installed layout, as the README's systemd commands make it: its release list copied to /opt/meetbot,
# the Node of its `npm i --prefix` line, the units copied from the release's deploy/. The unit must find its
# Node, its entry point and its Documentation= there, and systemd-analyze must accept it without stand-ins.
readme_block=$(awk '/^#### As a systemd service/{on=1} on&&/^```sh/{inb=1;next} inb&&/^```/{exit} inb' README.md)
release=$(sed -n 's/^RELEASE="\(.*\)"$/\1/p' <<<"$readme_block")
node_prefix=$(sed -n 's/^npm i --prefix \([^ ]*\) node@.*/\1/p' <<<"$readme_block")
if [ -z "$release" ] || [ -z "$node_prefix" ]; then
  echo "FAIL: README's systemd commands lack the RELEASE= line or the npm i --prefix … node@ line" >&2
  fail=1
else
  root=$(mktemp -d)
  mkdir -p "$root/opt/meetbot" "$root/etc/systemd/system" "$root/etc/meetbot" "$root/var/lib/meetbot" "$root/usr/lib/systemd"
  cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
  for item in $release; do
    case $item in
      dist) mkdir -p "$root/opt/meetbot/dist/src/check" && touch "$root/opt/meetbot/dist/src/main.js" "$root/opt/meetbot/dist/src/check/cli.js" ;; # built by npm run build
      node_modules) mkdir -p "$root/opt/meetbot/node_modules" ;;
      *) if [ -e "$item" ]; then cp -r "$item" "$root/opt/meetbot/"; else echo "FAIL: the README's release lists $item, which the repository does not have" >&2; fail=1; fi ;;
    esac
  done
  mkdir -p "$root$node_prefix/node_modules/node/bin" && printf '#!/bin/sh\n' >"$root$node_prefix/node_modules/node/bin/node" && chmod +x "$root$node_prefix/node_modules/node/bin/node"
  touch "$root/etc/meetbot/config.json"
  installed_ok=1
  if [ -d "$root/opt/meetbot/deploy" ]; then
    cp "$root"/opt/meetbot/deploy/meetbot*.service "$root"/opt/meetbot/deploy/meetbot*.timer "$root/etc/systemd/system/"
  else
    echo "FAIL: the README's release list lacks deploy/, from which its next step copies the units" >&2
    installed_ok=0
  fi
  exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
  [ "$exe" = "$node_prefix/node_modules/node/bin/node" ] \
    || { echo "FAIL: $unit starts $exe, the README installs Node at $node_prefix" >&2; installed_ok=0; }
  for path in $(sed -n 's/^ExecStart=[^ ]* \([^ ]*\).*/\1/p' "$unit") $(sed -n 's|^Documentation=file://||p' deploy/*.service); do
    [ -e "$root$path" ] || { echo "FAIL: $path (named in deploy/) is not in the installed layout" >&2; installed_ok=0; }
  done
  # Only stand-ins the README's commands do not make: the backup unit's /bin/sh and sqlite3 are the host's.
  for exe in /bin/sh /usr/bin/sqlite3; do mkdir -p "$root$(dirname "$exe")" && [ -e "$root$exe" ] || { printf '#!/bin/sh\n' >"$root$exe"; chmod +x "$root$exe"; }; done
  out=$(cd "$root/etc/systemd/system" && systemd-analyze verify --man=no --root="$root" meetbot.service meetbot-backup.service meetbot-backup.timer 2>&1) || installed_ok=0
  [ -z "$out" ] || { printf '%s\n' "$out" >&2; installed_ok=0; }
  rm -rf "$root"
  if [ $installed_ok = 1 ]; then echo "ok: systemd-analyze verify on the layout the README installs (Node at $node_prefix, release: $release)"; else
    echo "FAIL: the layout the README installs does not run the unit" >&2
    fail=1
  fi
fi

# The backup service's own commands (systemd's %% is a literal %), on a scratch database and folder.
scratch=$(mktemp -d)
mkdir -p "$scratch/state" "$scratch/backups"
sqlite3 "$scratch/state/bot.db" "pragma journal_mode=wal; create table consent(who text); insert into consent values ('@alice:example.org');" >/dev/null
for i in $(seq -w 1 15); do touch -d "2026-01-$i" "$scratch/backups/bot-202601${i}T000000Z.db"; done
backup_ok=1
while IFS= read -r cmd; do
  cmd=${cmd//\/var\/lib\/meetbot/$scratch\/state}
  cmd=${cmd//\/var\/backups\/meetbot/$scratch\/backups}
  cmd=${cmd//%%/%}
  bash -c "$cmd" || backup_ok=0
done < <(sed -n 's/^ExecStart=//p' deploy/meetbot-backup.service | sed 's/^\/bin\/sh -c //; s/^'"'"'\(.*\)'"'"'$/\1/')
newest=$(ls -1t "$scratch"/backups/bot-*.db | head -n 1)
if [ $backup_ok = 1 ] && [ "$(ls -1 "$scratch"/backups/bot-*.db | wc -l)" = 14 ] \
  && [ "$(sqlite3 "$newest" 'select who from consent')" = '@alice:example.org' ] && [ ! -e "$scratch/backups/bot.db.new" ]; then
  echo "ok: the backup service copies the database ($(basename "$newest")) and keeps the last 14"
else
  echo "FAIL: the backup service's commands did not produce a readable copy and 14 kept backups" >&2
  ls -l "$scratch/backups" >&2
  fail=1
fi
rm -rf "$scratch"

exit $fail
