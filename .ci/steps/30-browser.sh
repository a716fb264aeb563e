#!/usr/bin/env bash
# Browser test: headless Chromium (Debian's package) loads the pages of
# examples/loopback, examples/one2many and examples/groupcall, driven by
# playwright-core from examples/browsertest, twice:
#   1. on the embedded fake KMS: the SDP answer is accepted and ICE
#      candidates flow both ways (the fake sends no media);
#   2. on a real KMS from ../shared/kms (skipped, with a message, when there
#      is none): every receiving page decodes video (framesDecoded > 0) and
#      its video shows a picture that is not blank.
# Environment: GOKURENTO_KMS_DIR (default ../shared/kms), KMS_PORT_RANGE
# ("LOW-HIGH", default 20000-29999), KMS_HOME, SCREENSHOT_DIR.
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
"$CHROMIUM" --version

(cd examples/browsertest && npm install --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error)

work=$(mktemp -d)
pids=()
kms_sh=
kms_port=
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$kms_port" ]; then bash "$kms_sh" stop "$kms_port" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

for name in loopback one2many groupcall; do
  go build -o "$work/$name" "./examples/$name"
done

# start NAME VAR KMS_URL: starts examples/NAME on a free port, on the KMS at
# KMS_URL (empty: the embedded fake), and sets VAR to its URL.
start() {
  local name=$1 var=$2 kms=$3 url=""
  local log="$work/$name.$4.log"
  if [ -z "$kms" ]; then
    env -u KURENTO_URL "$work/$name" -listen 127.0.0.1:0 >"$log" 2>&1 &
  else
    KURENTO_URL=$kms "$work/$name" -listen 127.0.0.1:0 >"$log" 2>&1 &
  fi
  pids+=("$!")
  for _ in $(seq 150); do
    url=$(grep -o "$name: open http://[0-9.:]*/" "$log" | head -n1 | cut -d' ' -f3 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "$name did not start:"; cat "$log"; exit 1
  fi
  if [ -z "$kms" ]; then
    grep -q "embedded fake KMS" "$log" || { echo "$name: not on the embedded fake"; exit 1; }
  fi
  printf -v "$var" '%s' "$url"
}

# run MODE KMS_URL EXPECT_MEDIA: starts the three programs and runs the test.
run() {
  local mode=$1 kms=$2 expect=$3 status=0
  local LOOPBACK_URL ONE2MANY_URL GROUPCALL_URL
  start loopback LOOPBACK_URL "$kms" "$mode"
  start one2many ONE2MANY_URL "$kms" "$mode"
  start groupcall GROUPCALL_URL "$kms" "$mode"
  echo "[$mode] loopback at $LOOPBACK_URL, one2many at $ONE2MANY_URL, groupcall at $GROUPCALL_URL"
  (cd examples/browsertest &&
    LOOPBACK_URL=$LOOPBACK_URL ONE2MANY_URL=$ONE2MANY_URL GROUPCALL_URL=$GROUPCALL_URL CHROMIUM=$CHROMIUM \
      SCREENSHOT_DIR=${SCREENSHOT_DIR:-$work} EXPECT_MEDIA=$expect \
      timeout 240 node --test --test-reporter=tap browser.test.mjs) || status=$?
  if [ "$status" != 0 ]; then
    for name in loopback one2many groupcall; do echo "--- $name log ($mode)"; cat "$work/$name.$mode.log"; done
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  return "$status"
}

run fake "" 0

kms_dir=${GOKURENTO_KMS_DIR:-../shared/kms}
if [ ! -f "$kms_dir/kms.sh" ]; then
  echo "no real KMS at $kms_dir: the pages were checked on the embedded fake only"
  exit 0
fi
kms_sh="$(cd "$kms_dir" && pwd)/kms.sh"
if ! bash "$kms_dir/install-deps.sh" --check >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO bash "$kms_dir/install-deps.sh"
fi
range=${KMS_PORT_RANGE:-20000-29999}
lo=${range%-*}
hi=${range#*-}
kms_url=
for _ in $(seq 20); do
  p=$((lo + RANDOM % (hi - lo + 1)))
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
  if kms_url=$(bash "$kms_sh" start "$p"); then kms_port=$p; break; fi
done
[ -n "$kms_url" ] || { echo "could not start a KMS in $range"; exit 1; }
echo "real KMS at $kms_url"
status=0
run kms "$kms_url" 1 || status=$?
if [ "$status" != 0 ]; then
  home=${KMS_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/gokurento-kms/7.3.1-dev}
  echo "--- tail of the KMS log"; tail -n 40 "$home/run/$kms_port/kms.log" || true
fi
exit "$status"
