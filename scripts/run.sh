#!/bin/sh
# Runs a command from the project root with Node >= 22.12 and the locked dependencies,
# provisioning either when missing, so `npm start` and `npm test` work on a fresh clone.
set -eu
SWITCHBOARD_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export SWITCHBOARD_ROOT
cd "$SWITCHBOARD_ROOT"
. "$SWITCHBOARD_ROOT/scripts/node-env.sh"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "switchboard: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
PATH="$SWITCHBOARD_ROOT/node_modules/.bin:$PATH"
export PATH
exec "$@"
