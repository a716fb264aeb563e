#!/usr/bin/env bash
# Integration tests against a real Kurento Media Server: starts two KMS
# 7.3.1-dev from ../shared/kms (beside the project; a user's clone has none,
# and then this step says so and passes), runs
# `go test -tags integration ./...` with KURENTO_URL and KURENTO_URL_2 set,
# stops both servers and fails on any failure, printing the servers' log
# tails. Tests that kill a server start their own through KURENTO_KMS_SH.
#
# Environment: GOKURENTO_KMS_DIR (default ../shared/kms), KMS_PORT_RANGE
# ("LOW-HIGH", where free ports are looked for; default 20000-29999),
# KMS_HOME (kms.sh's cache dir), INTEGRATION_RACE=0 to drop -race.
set -euo pipefail
cd "$(dirname "$0")/../.."

kms_dir=${GOKURENTO_KMS_DIR:-../shared/kms}
if [ ! -f "$kms_dir/kms.sh" ]; then
  echo "no real KMS at $kms_dir (a clone without the shared KMS build): skipping the integration tests"
  exit 0
fi
kms_dir=$(cd "$kms_dir" && pwd)
kms_sh=$kms_dir/kms.sh

t0=$SECONDS
if ! bash "$kms_dir/install-deps.sh" --check >/dev/null 2>&1; then
  echo "installing the KMS runtime packages"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO bash "$kms_dir/install-deps.sh"
fi

range=${KMS_PORT_RANGE:-20000-29999}
lo=${range%-*}
hi=${range#*-}

# port_free PORT: nothing accepts connections on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ports=()
cleanup() {
  for p in "${ports[@]}"; do bash "$kms_sh" stop "$p" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# start_kms: starts a KMS on a free port of the range and prints its URL.
# kms.sh refuses a port something else took meanwhile; the next one is tried.
urls=()
start_kms() {
  local p url tries=0
  p=$((lo + RANDOM % (hi - lo + 1)))
  while [ "$tries" -le $((hi - lo)) ]; do
    tries=$((tries + 1))
    p=$((p + 1)); [ "$p" -gt "$hi" ] && p=$lo
    local taken=0
    for q in "${ports[@]}"; do [ "$q" = "$p" ] && taken=1; done
    [ "$taken" = 1 ] && continue
    port_free "$p" || continue
    if url=$(bash "$kms_sh" start "$p"); then
      ports+=("$p")
      urls+=("$url")
      return 0
    fi
  done
  echo "no free port in $range for a KMS"; return 1
}

start_kms
start_kms
export KURENTO_URL=${urls[0]} KURENTO_URL_2=${urls[1]} KURENTO_KMS_SH=$kms_sh
export KMS_PORT_RANGE=$range
# free_port VAR: sets VAR to a free port of the range that no server of this
# step and no other VAR took, for the tests that start (and kill) a KMS of
# their own on a fixed port.
picked=()
free_port() {
  local var=$1 p
  [ -n "${!var:-}" ] && return 0
  for _ in $(seq 50); do
    p=$((lo + RANDOM % (hi - lo + 1)))
    case " ${ports[*]} ${picked[*]} " in *" $p "*) continue ;; esac
    if port_free "$p"; then export "$var=$p"; picked+=("$p"); return 0; fi
  done
}
free_port KURENTO_KILL_PORT # client's kill test
free_port KURENTO_CLI_KMS_PORT # cmd/kurento's verbs that list every pipeline
echo "real KMS at $KURENTO_URL and $KURENTO_URL_2 (started in $((SECONDS - t0)) s)"

race=-race
[ "${INTEGRATION_RACE:-1}" = 0 ] && race=
status=0
# -short: the full unit suite already ran (the README's command); this
# step adds what needs a real KMS and leaves out the long fake-only floods.
go test -tags integration $race -short -count=1 -timeout 10m ./... || status=$?

for p in "${ports[@]}"; do
  if ! bash "$kms_sh" status "$p" >/dev/null 2>&1; then
    echo "the KMS on port $p died during the tests"; status=1
  fi
done
if [ "$status" != 0 ]; then
  home=${KMS_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/gokurento-kms/7.3.1-dev}
  for p in "${ports[@]}"; do
    for f in "$home/run/$p/kms.log.prev" "$home/run/$p/kms.log"; do
      [ -f "$f" ] || continue
      echo "--- tail of $f"; tail -n 40 "$f"
    done
  done
fi
echo "integration step took $((SECONDS - t0)) s"
exit "$status"
