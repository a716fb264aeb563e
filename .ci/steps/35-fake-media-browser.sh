#!/usr/bin/env bash
# Browser test of the fake's media: headless Chromium (Debian's package,
# fake camera) loads the pages of examples/loopback, examples/one2many and
# examples/groupcall,
# running against the embedded fake KMS (media on by default), and checks
# that video comes back and is decoded (framesDecoded > 0) and that the
# received picture is not blank. Driven by playwright-core from
# examples/browsertest (fake-media.test.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."

CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
  echo "installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

(cd examples/browsertest && npm install --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error)

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME VAR: builds examples/NAME, starts it on a free port with the
# embedded fake KMS and sets VAR to its URL.
start() {
  local name=$1 var=$2 url=""
  go build -o "$work/$name" "./examples/$name"
  env -u KURENTO_URL "$work/$name" -listen 127.0.0.1:0 >"$work/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 100); do
    url=$(grep -o "$name: open http://[0-9.:]*/" "$work/$name.log" | head -n1 | cut -d' ' -f3 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "$name did not start:"; cat "$work/$name.log"; exit 1
  fi
  grep -q "embedded fake KMS" "$work/$name.log" || { echo "$name: not on the embedded fake"; exit 1; }
  printf -v "$var" '%s' "$url"
}

start loopback LOOPBACK_URL
start one2many ONE2MANY_URL
start groupcall GROUPCALL_URL

status=0
(cd examples/browsertest &&
  LOOPBACK_URL=$LOOPBACK_URL ONE2MANY_URL=$ONE2MANY_URL GROUPCALL_URL=$GROUPCALL_URL CHROMIUM=$CHROMIUM SCREENSHOT_DIR=${SCREENSHOT_DIR:-$work} \
    timeout 180 node --test --test-reporter=tap fake-media.test.mjs) || status=$?
if [ "$status" != 0 ]; then
  for name in loopback one2many groupcall; do echo "--- $name log"; cat "$work/$name.log"; done
fi
exit "$status"
