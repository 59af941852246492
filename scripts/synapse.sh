#!/usr/bin/env bash
# scripts/synapse.sh - a REAL Matrix homeserver (Synapse) for this project's e2e
# tests and benches.  Adapted from the team's tested recipe
# (shared/tools/synapse-chroot.sh): Debian 12 has no matrix-synapse package, sid
# has, so a minimal sid tree is debootstrapped into a folder and Synapse runs
# chrooted in it, sharing the host's network (http://127.0.0.1:$HS_PORT).
# Needs root and a Debian host with apt; test/e2e/support/global-setup.ts
# decides when to call it and skips loudly elsewhere.
#
# Usage (as root):
#   synapse.sh start      # prepare the tree if missing, write config, start,
#                         # wait until /_matrix/client/versions answers, print
#                         # the base URL on stdout (last line)
#   synapse.sh stop       # stop the Synapse this script started (by PID)
#   synapse.sh restart    # stop + start
#   synapse.sh status     # running? (exit 0 = yes, 1 = no)
#   synapse.sh prepare    # only build the chroot (debootstrap + apt)
#   synapse.sh reset      # stop + delete the homeserver data (DB, media, keys);
#                         # the prepared chroot is kept
#   synapse.sh register USER PASSWORD [admin]
#                         # create a user via the shared-secret admin API
#   synapse.sh url        # print the base URL
#   synapse.sh destroy    # stop, make sure nothing is mounted, rm -rf root
#
# Environment (all optional):
#   HS_ROOT           chroot folder                  (default /tmp/hs-root)
#   HS_PORT           client port on 127.0.0.1       (default 8008)
#   HS_SERVER_NAME    Matrix server_name             (default localhost)
#   HS_SHARED_SECRET  registration_shared_secret     (default ci-registration-secret)
#   HS_MIRROR         Debian mirror                  (default http://deb.debian.org/debian)
#   HS_SUITE          Debian suite with matrix-synapse (default sid)
#   HS_READY_TIMEOUT  seconds to wait for readiness  (default 120)
#   HS_EXTRA_CONFIG   host path of an extra YAML merged over the generated
#                     config; files it references must be copied below
#                     $HS_ROOT/var/lib/synapse-test and named by their in-chroot
#                     path /var/lib/synapse-test/...
#
# One Synapse per HS_ROOT (data in $HS_ROOT/var/lib/synapse-test).  The DB
# survives stop/start; run "reset" for a blank server, and always after changing
# HS_SERVER_NAME (Synapse refuses a DB made for another server_name).
#
# Idempotent: every step checks what is already there, and commands that change
# state hold a lock ($HS_ROOT.lock) so parallel callers (two test runs, CI jobs)
# do not race.  The host is only changed by "apt-get install" of curl, openssl,
# debootstrap when missing (bookworm main); nothing from sid is ever installed
# on the host.  Nothing stays mounted after "prepare", so "rm -rf $HS_ROOT" is
# safe once Synapse is stopped - "destroy" double-checks anyway.
set -euo pipefail

HS_ROOT=${HS_ROOT:-/tmp/hs-root}
HS_PORT=${HS_PORT:-8008}
HS_SERVER_NAME=${HS_SERVER_NAME:-localhost}
HS_SHARED_SECRET=${HS_SHARED_SECRET:-ci-registration-secret}
HS_MIRROR=${HS_MIRROR:-http://deb.debian.org/debian}
HS_SUITE=${HS_SUITE:-sid}
HS_READY_TIMEOUT=${HS_READY_TIMEOUT:-120}

DATA_IN=/var/lib/synapse-test          # data folder as seen inside the chroot
DATA=$HS_ROOT$DATA_IN                  # ... and from the host
PIDFILE=$DATA/synapse.host.pid         # host PID of the python process we started
MARKER=$HS_ROOT/.synapse-prepared      # written once the chroot is complete
BASE_URL="http://127.0.0.1:$HS_PORT"

log() { echo "[synapse.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap + chroot)"

# Run a command inside the chroot with a clean environment.
in_root() {
  chroot "$HS_ROOT" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# Host tools this script needs (curl: readiness + register, openssl: HMAC,
# debootstrap: prepare).  Installed from the host's own archive when missing.
ensure_host_tools() {
  local missing=() t
  for t in curl openssl debootstrap; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  command -v flock >/dev/null || missing+=(util-linux)
  [ ${#missing[@]} = 0 ] && return 0
  log "installing missing host packages: ${missing[*]}"
  apt-get update -qq || log "apt-get update failed; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# Serialise state-changing commands per HS_ROOT (fd 9 stays open until exit).
take_lock() {
  mkdir -p "$(dirname "$HS_ROOT")"
  exec 9>"$HS_ROOT.lock"
  flock -w 900 9 || die "could not lock $HS_ROOT.lock within 900 s"
}

# Unmount anything below $HS_ROOT (deepest first).  Needed before rm -rf.
umount_all() {
  local m
  for m in $(awk -v r="$HS_ROOT" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/mounts | sort -r); do
    log "unmounting $m"
    umount "$m" || umount -l "$m"
  done
}

# ---------------------------------------------------------------- prepare --
prepare() {
  if [ -f "$MARKER" ]; then
    log "chroot already prepared: $(cat "$MARKER")"
    return 0
  fi
  local t0=$SECONDS

  if [ ! -x "$HS_ROOT/usr/bin/apt-get" ] || [ ! -f "$HS_ROOT/.debootstrap-done" ]; then
    # A half-finished debootstrap cannot be resumed reliably: start over.
    if [ -e "$HS_ROOT" ]; then
      log "removing incomplete $HS_ROOT"
      umount_all
      rm -rf --one-file-system "$HS_ROOT"
    fi
    log "debootstrap --variant=minbase $HS_SUITE -> $HS_ROOT (40-130 s)"
    debootstrap --variant=minbase "$HS_SUITE" "$HS_ROOT" "$HS_MIRROR" >"/tmp/hs-debootstrap.log" 2>&1 \
      || { tail -20 /tmp/hs-debootstrap.log >&2; die "debootstrap failed (log: /tmp/hs-debootstrap.log)"; }
    touch "$HS_ROOT/.debootstrap-done"
    log "debootstrap done after $((SECONDS - t0)) s"
  fi

  # apt inside the chroot:
  #  - Check-Valid-Until=false: the package archive here is a frozen
  #    snapshot; sid's InRelease has a 7-day Valid-Until and is "expired"
  #    (the host's apt is configured the same way).
  #  - Use-Pty=0: no /dev/pts in the chroot -> avoids "E: Can not write log".
  #  - no recommends, no docs/man/locales (saves ~25 MB, nothing needs them).
  cat >"$HS_ROOT/etc/apt/apt.conf.d/99synapse-chroot" <<'EOF'
Acquire::Check-Valid-Until "false";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "0";
EOF
  cat >"$HS_ROOT/etc/dpkg/dpkg.cfg.d/01-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  # Never let maintainer scripts try to start services inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$HS_ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$HS_ROOT/usr/sbin/policy-rc.d"
  # Answer matrix-synapse's debconf questions up front.
  printf '%s\n' \
    "matrix-synapse matrix-synapse/server-name string $HS_SERVER_NAME" \
    "matrix-synapse matrix-synapse/report-stats boolean false" \
    | in_root debconf-set-selections

  # /proc is only needed while dpkg runs maintainer scripts; unmount afterwards.
  local mounted_proc=0
  if ! mountpoint -q "$HS_ROOT/proc"; then
    mount -t proc proc "$HS_ROOT/proc"; mounted_proc=1
    # An interrupted install must not leave /proc mounted (rm -rf would then recurse into it).
    trap 'umount "$HS_ROOT/proc" 2>/dev/null || true' EXIT
  fi
  local t1=$SECONDS rc=0
  {
    in_root apt-get update -q &&
    in_root apt-get install -y -q matrix-synapse &&
    in_root apt-get clean
  } >/tmp/hs-apt.log 2>&1 || rc=$?
  if [ $mounted_proc = 1 ]; then umount "$HS_ROOT/proc"; trap - EXIT; fi
  if [ $rc != 0 ]; then
    tail -30 /tmp/hs-apt.log >&2; die "apt-get in chroot failed (log: /tmp/hs-apt.log)"
  fi
  log "apt-get update+install matrix-synapse took $((SECONDS - t1)) s"
  in_root dpkg-query -W -f='matrix-synapse ${Version}, ' matrix-synapse >"$MARKER"
  in_root python3 -c 'import sys; print("python", sys.version.split()[0])' >>"$MARKER"
  log "prepared in $((SECONDS - t0)) s: $(cat "$MARKER")"
}

# -------------------------------------------------------------- configure --
configure() {
  mkdir -p "$DATA/media"
  # Rewritten on every start so that HS_PORT / HS_SHARED_SECRET changes apply.
  # The DB and the signing key are kept (use "reset" for a blank server).
  local macaroon form
  [ -f "$DATA/macaroon.secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DATA/macaroon.secret"
  [ -f "$DATA/form.secret" ]     || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DATA/form.secret"
  macaroon=$(cat "$DATA/macaroon.secret"); form=$(cat "$DATA/form.secret")
  local rl='{per_second: 100000, burst_count: 1000000}'   # "no" rate limit

  cat >"$DATA/homeserver.yaml" <<EOF
# Generated by scripts/synapse.sh - test-only homeserver, never expose it.
server_name: "$HS_SERVER_NAME"
public_baseurl: "$BASE_URL/"
report_stats: false
pid_file: $DATA_IN/homeserver.pid
log_config: $DATA_IN/log.yaml
media_store_path: $DATA_IN/media
signing_key_path: $DATA_IN/signing.key

listeners:
  - port: $HS_PORT
    bind_addresses: ['127.0.0.1']      # loopback only
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]                # client-server API (+ /_synapse/admin)
        compress: false

database:
  name: sqlite3
  args:
    database: $DATA_IN/homeserver.db

registration_shared_secret: "$HS_SHARED_SECRET"
macaroon_secret_key: "$macaroon"
form_secret: "$form"
enable_registration: false             # users come from the admin API
bcrypt_rounds: 4                       # cheap password hashing (default 12 costs ~0.3 s per register/login)

# No federation at all.
federation_domain_whitelist: []
trusted_key_servers: []
suppress_key_server_warning: true
url_preview_enabled: false
enable_metrics: false

# Tests hammer the server: lift every rate limit.
rc_message: $rl
rc_registration: $rl
rc_registration_token_validity: $rl
rc_login:
  address: $rl
  account: $rl
  failed_attempts: $rl
rc_admin_redaction: $rl
rc_joins:
  local: $rl
  remote: $rl
rc_joins_per_room: $rl
rc_invites:
  per_room: $rl
  per_user: $rl
  per_issuer: $rl
rc_third_party_invite: $rl
rc_3pid_validation: $rl
rc_key_requests: $rl
rc_media_create: $rl
rc_presence:
  per_user: $rl
rc_delayed_event_mgmt: $rl
rc_room_creation: $rl
rc_reports: $rl
rc_user_directory: $rl
EOF

  cat >"$DATA/log.yaml" <<EOF
version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: $DATA_IN/homeserver.log
    encoding: utf8
  console:
    class: logging.StreamHandler
    formatter: precise
    level: WARNING
loggers:
  synapse.storage.SQL:
    level: WARNING
root:
  level: INFO
  handlers: [file, console]
disable_existing_loggers: false
EOF

  if [ -n "${HS_EXTRA_CONFIG:-}" ]; then
    cp "$HS_EXTRA_CONFIG" "$DATA/extra.yaml"
  else
    rm -f "$DATA/extra.yaml"
  fi

  local uid gid
  uid=$(awk -F: '$1=="matrix-synapse"{print $3}' "$HS_ROOT/etc/passwd")
  gid=$(awk -F: '$1=="matrix-synapse"{print $4}' "$HS_ROOT/etc/passwd")
  [ -n "$uid" ] || die "user matrix-synapse missing in chroot"
  chown -R "$uid:$gid" "$DATA"
  chmod 700 "$DATA"
  if [ ! -f "$DATA/signing.key" ]; then
    chroot --userspec="$uid:$gid" "$HS_ROOT" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
      python3 -m synapse.app.homeserver -c "$DATA_IN/homeserver.yaml" --generate-keys >/dev/null
  fi
  echo "$uid:$gid"
}

# ------------------------------------------------------------ start/stop --
running_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against PID reuse: it must be our synapse process.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'synapse.app.homeserver' || return 1
  echo "$pid"
}

versions_ok() { curl -fsS -m 2 -o /dev/null "$BASE_URL/_matrix/client/versions" 2>/dev/null; }

start() {
  local pid
  if pid=$(running_pid); then
    log "already running (pid $pid)"; echo "$BASE_URL"; return 0
  fi
  prepare
  if versions_ok; then die "something else already answers on $BASE_URL"; fi
  local ids; ids=$(configure)
  local cfg=(-c "$DATA_IN/homeserver.yaml")
  [ -f "$DATA/extra.yaml" ] && cfg+=(-c "$DATA_IN/extra.yaml")
  local t0; t0=$(date +%s%N)
  # chroot and env both exec(), so $! is the PID of the python process itself.
  # 9>&-: Synapse must not inherit the lock, or every later stop would wait for it.
  nohup chroot --userspec="$ids" "$HS_ROOT" /usr/bin/env -i \
      PATH=/usr/bin:/bin HOME="$DATA_IN" LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONUNBUFFERED=1 \
      python3 -m synapse.app.homeserver "${cfg[@]}" \
      >>"$DATA/stdout.log" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"
  local deadline=$((SECONDS + HS_READY_TIMEOUT))
  until versions_ok; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -40 "$DATA/stdout.log" >&2; rm -f "$PIDFILE"; die "synapse exited during startup"
    fi
    [ $SECONDS -lt $deadline ] || { tail -40 "$DATA/stdout.log" >&2; stop; die "not ready after ${HS_READY_TIMEOUT}s"; }
    sleep 0.2
  done
  log "ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms, pid $pid, RSS $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
  echo "$BASE_URL"
}

stop() {
  local pid i
  if ! pid=$(running_pid); then log "not running"; rm -f "$PIDFILE"; return 0; fi
  kill -TERM "$pid"
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then log "still alive after 30 s, SIGKILL $pid"; kill -KILL "$pid"; fi
  rm -f "$PIDFILE"
  log "stopped (pid $pid)"
}

# Shared-secret registration: GET nonce, HMAC-SHA1(nonce\0user\0pass\0admin|notadmin).
register() {
  local user=${1:?user} pass=${2:?password} admin=${3:-}
  local kind=notadmin isadmin=false nonce mac
  [ "$admin" = admin ] && { kind=admin; isadmin=true; }
  # The request body is built by hand: keep both values JSON-safe.
  [[ $user =~ ^[a-z0-9._=/-]+$ ]] || die "invalid localpart '$user' (allowed: a-z 0-9 . _ = / -)"
  [[ $pass != *[\"\\]* ]] || die "password must not contain quotes or backslashes"
  nonce=$(curl -fsS "$BASE_URL/_synapse/admin/v1/register" | sed -E 's/.*"nonce":"([^"]+)".*/\1/')
  mac=$(printf '%s\0%s\0%s\0%s' "$nonce" "$user" "$pass" "$kind" \
        | openssl dgst -sha1 -hmac "$HS_SHARED_SECRET" | awk '{print $NF}')
  local out code
  out=$(curl -sS -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
        "$BASE_URL/_synapse/admin/v1/register" \
        -d "{\"nonce\":\"$nonce\",\"username\":\"$user\",\"password\":\"$pass\",\"admin\":$isadmin,\"mac\":\"$mac\"}")
  code=${out##*$'\n'}; out=${out%$'\n'*}
  if [ "$code" = 200 ]; then echo "$out"; return 0; fi
  # Re-running a CI script must not fail because the user is already there.
  case "$out" in *M_USER_IN_USE*) log "user $user already exists"; return 0 ;; esac
  log "register $user failed: HTTP $code $out"; return 1
}

case "${1:-start}" in
  prepare)  ensure_host_tools; take_lock; prepare ;;
  start)    ensure_host_tools; take_lock; start ;;
  stop)     take_lock; stop ;;
  restart)  ensure_host_tools; take_lock; stop; start ;;
  status)   if pid=$(running_pid); then echo "running pid $pid $BASE_URL"; else echo "stopped"; exit 1; fi ;;
  url)      echo "$BASE_URL" ;;
  reset)    take_lock; stop; rm -rf "$DATA"; log "data removed" ;;
  register) ensure_host_tools; shift; register "$@" ;;
  destroy)  take_lock; stop; umount_all; rm -rf --one-file-system "$HS_ROOT"; log "removed $HS_ROOT" ;;
  *) echo "usage: $0 {start|stop|restart|status|url|prepare|reset|register USER PASS [admin]|destroy}" >&2; exit 2 ;;
esac
