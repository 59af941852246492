#!/usr/bin/env bash
# scripts/screenshot.sh - the README picture (docs/screenshot.png), taken by a real Matrix client.
#
# Runs the demo scenario (`npm run demo -- --keep`: local Synapse or E2E_HOMESERVER_URL, BBB simulator,
# the bot), logs in as Alice with nheko (Debian's package) on a virtual X display (Xvfb), and takes two
# pictures as she sees them: the meeting room (first layer of the notice, the prompt with its tally,
# the opening message, the "recording is ready" message) and her direct messages with the bot (her
# join link and the recording's playback link). They are put side by side into docs/screenshot.png.
#
# Needs root on Debian (apt-get installs nheko, xvfb, imagemagick, xdotool, jq and fonts if missing).
# Adapted from the team's nheko-screenshot recipe. Only processes started here are stopped, by PID.
# Env: OUT (docs/screenshot.png), GEOMETRY (1000x900 per picture), SETTLE_S (6), WORK (/tmp/meetbot-shot)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$REPO/docs/screenshot.png}
GEOMETRY=${GEOMETRY:-1000x900}
SETTLE_S=${SETTLE_S:-6}
WORK=${WORK:-/tmp/meetbot-shot}

T0=$(date +%s)
log() { echo "[screenshot +$(($(date +%s) - T0))s] $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

case "$WORK" in / | /tmp | /root | /home | "$REPO" | "") die "refusing WORK=$WORK" ;; esac
rm -rf "$WORK"
mkdir -p "$WORK/home" "$WORK/config/nheko" "$WORK/data" "$WORK/cache" "$WORK/run"
chmod 700 "$WORK" "$WORK/run"

DEMO_PID="" XVFB_PID="" NHEKO_PID=""
cleanup() {
  if [ -n "$NHEKO_PID" ] && kill -0 "$NHEKO_PID" 2>/dev/null; then
    kill "$NHEKO_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$NHEKO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$NHEKO_PID" 2>/dev/null || true
  fi
  if [ -n "$XVFB_PID" ] && kill -0 "$XVFB_PID" 2>/dev/null; then
    kill "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
    # The demo stops on SIGTERM as on Ctrl-C: it stops the bot, the simulator and a Synapse it started.
    kill -TERM "$DEMO_PID" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$DEMO_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# ------------------------------------------------------------------ packages --
PKGS=(nheko xvfb imagemagick xdotool jq curl fonts-noto-color-emoji fonts-dejavu)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi

# ---------------------------------------------------------------- the demo --
INFO="$WORK/demo.json"
log "running the demo scenario (npm run demo -- --keep) …"
(cd "$REPO" && DEMO_INFO_FILE="$INFO" exec node --import tsx demo/run.ts --keep) >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!
for _ in $(seq 240); do
  [ -s "$INFO" ] && break
  kill -0 "$DEMO_PID" 2>/dev/null || die "the demo ended early: $(tail -5 "$WORK/demo.log")"
  sleep 0.5
done
[ -s "$INFO" ] || die "the demo did not get ready: $(tail -5 "$WORK/demo.log")"
HS_URL=$(jq -r .homeserverUrl "$INFO")
ROOM=$(jq -r .roomId "$INFO")
USER_ID=$(jq -r '.people[] | select(.name=="Alice") | .userId' "$INFO")
USER=$(jq -r '.people[] | select(.name=="Alice") | .user' "$INFO")
PASS=$(jq -r '.people[] | select(.name=="Alice") | .password' "$INFO")
DM=$(jq -r '.people[] | select(.name=="Alice") | .dmRoomId' "$INFO")
log "demo ready: $USER_ID in $ROOM, DM $DM"

# -------------------------------------------- Alice's nheko profile, signed in --
LOGIN=$(curl -fsS -m 30 -X POST -H 'Content-Type: application/json' "$HS_URL/_matrix/client/v3/login" \
  --data-binary "$(jq -nc --arg u "$USER" --arg p "$PASS" \
    '{type:"m.login.password",identifier:{type:"m.id.user",user:$u},password:$p,device_id:"NHEKOSHOT",initial_device_display_name:"nheko (README picture)"}')")
TOKEN=$(jq -r .access_token <<<"$LOGIN")
W=${GEOMETRY%x*} H=${GEOMETRY#*x}
# nheko 0.11 treats a settings file with auth/* as "signed in" and opens the chat page directly.
cat >"$WORK/config/nheko/nheko.conf" <<EOF
[General]
run_without_secure_secrets_service=true

[auth]
access_token=$TOKEN
device_id=NHEKOSHOT
home_server=$HS_URL
user_id=$USER_ID

[user]
theme=light
font_size=11
emoji_font_family=Noto Color Emoji
desktop_notifications=false
timeline\\enlarge_emoji_only_msg=false
window\\tray=false

[window]
width=$W
height=$H
EOF

# ------------------------------------------------------------ Xvfb + nheko --
DISP=99
while [ -e "/tmp/.X$DISP-lock" ] || [ -e "/tmp/.X11-unix/X$DISP" ]; do DISP=$((DISP + 1)); done
Xvfb ":$DISP" -screen 0 "${GEOMETRY}x24" -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$DISP" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X$DISP" ] || die "Xvfb :$DISP did not come up"

uri() { echo "matrix:roomid/$(jq -rn --arg r "${1#!}" '$r|@uri')"; }
NHEKO_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
  HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
  XDG_CACHE_HOME="$WORK/cache" XDG_RUNTIME_DIR="$WORK/run"
  DISPLAY=":$DISP" QT_QPA_PLATFORM=xcb LANG=C.UTF-8 LC_ALL=C.UTF-8)
"${NHEKO_ENV[@]}" nheko -L stderr -l 'info,qml=debug' "$(uri "$ROOM")" >"$WORK/nheko.log" 2>&1 &
NHEKO_PID=$!
wait_log() { # wait_log REGEX TIMEOUT_S
  for _ in $(seq $(($2 * 4))); do
    grep -qE "$1" "$WORK/nheko.log" 2>/dev/null && return 0
    kill -0 "$NHEKO_PID" 2>/dev/null || die "nheko exited: $(tail -20 "$WORK/nheko.log")"
    sleep 0.25
  done
  return 1
}
wait_log 'Received uri' 90 || log "WARN: nheko never reported the room URI"

# A new account has no cross-signing keys: nheko opens its modal "Setup Encryption" dialog, which
# ignores Escape. Its Cancel button sits about 66 px from the right and 40 px from the bottom.
WID=$(DISPLAY=":$DISP" xdotool search --sync --pid "$NHEKO_PID" --onlyvisible --name nheko | head -1)
eval "$(DISPLAY=":$DISP" xdotool getwindowgeometry --shell "$WID")" # X Y WIDTH HEIGHT
footer() { convert "$1" -crop "200x50+$((X + WIDTH - 220))+$((Y + HEIGHT - 65))" +repage "$2"; }
if wait_log 'STATUS CHANGED: 1' 15; then
  sleep 1
  DISPLAY=":$DISP" import -window root "$WORK/dialog.png"
  footer "$WORK/dialog.png" "$WORK/dialog-footer.png"
  for try in 1 2 3; do
    DISPLAY=":$DISP" xdotool mousemove $((X + WIDTH - 66)) $((Y + HEIGHT - 40)) click 1
    DISPLAY=":$DISP" xdotool mousemove $((X + WIDTH / 2)) $((Y + 2))
    sleep 0.7
    DISPLAY=":$DISP" import -window root "$WORK/now.png"
    footer "$WORK/now.png" "$WORK/now-footer.png"
    [ "$(compare -metric AE "$WORK/dialog-footer.png" "$WORK/now-footer.png" null: 2>&1 || true)" = 0 ] || break
    log "dialog still open after click $try"
  done
fi

# The start-up URI arrives before nheko's room list holds the room: hand it over again (a second
# `nheko matrix:…` passes it to the running instance), then wait for the timeline to settle.
show_room() { # show_room ROOM_ID OUT_PNG
  local before
  before=$(grep -c 'Received uri' "$WORK/nheko.log" || true)
  timeout 20 "${NHEKO_ENV[@]}" nheko -L none "$(uri "$1")" >>"$WORK/nheko-secondary.log" 2>&1 || true
  for _ in $(seq 40); do
    [ "$(grep -c 'Received uri' "$WORK/nheko.log")" -gt "$before" ] && break
    sleep 0.25
  done
  sleep "$SETTLE_S"
  DISPLAY=":$DISP" import -window root "$2"
}
show_room "$ROOM" "$WORK/room.png"
show_room "$DM" "$WORK/dm.png"
log "pictures taken"

# Side by side, with a thin gap; a blank frame has (almost) no colours.
mkdir -p "$(dirname "$OUT")"
convert "$WORK/room.png" -size 8x"$H" xc:'#d0d0d0' "$WORK/dm.png" +append -strip "$OUT"
COLOURS=$(identify -format '%k' "$OUT")
[ "$COLOURS" -gt 50 ] || die "the picture has only $COLOURS colours: probably empty"
log "written $OUT ($(identify -format '%wx%h' "$OUT"), $COLOURS colours) in $(($(date +%s) - T0)) s"
