#!/usr/bin/env bash
# Interop with the official JavaScript client: runs interop/js/scenarios.js
# (kurento-client 7.3.0 under node's test runner) against cmd/kurento-fake.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v node >/dev/null || { echo "node is not installed"; exit 1; }
command -v npm >/dev/null || { echo "npm is not installed"; exit 1; }
node --version

echo "installing interop/js dependencies"
(cd interop/js && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)

work=$(mktemp -d)
fake_pid=
cleanup() {
  if [ -n "$fake_pid" ] && kill -0 "$fake_pid" 2>/dev/null; then
    kill -TERM "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "building cmd/kurento-fake"
go build -o "$work/kurento-fake" ./cmd/kurento-fake

# Port 0: the fake picks free ports and prints the ws URL, then the admin
# hook's URL, on stdout once it serves.
"$work/kurento-fake" -listen 127.0.0.1:0 -admin 127.0.0.1:0 -log-level "${FAKE_LOG_LEVEL:-info}" \
  >"$work/stdout" 2>"$work/stderr" &
fake_pid=$!

for _ in $(seq 1 100); do
  [ "$(wc -l <"$work/stdout")" -ge 2 ] && break
  if ! kill -0 "$fake_pid" 2>/dev/null; then
    echo "kurento-fake exited early:"; cat "$work/stderr"; exit 1
  fi
  sleep 0.1
done
if [ "$(wc -l <"$work/stdout")" -lt 2 ]; then
  echo "kurento-fake did not get ready within 10 s:"; cat "$work/stderr"; exit 1
fi
KURENTO_URL=$(sed -n 1p "$work/stdout")
KURENTO_FAKE_ADMIN=$(sed -n 2p "$work/stdout")
export KURENTO_URL KURENTO_FAKE_ADMIN
echo "fake KMS at $KURENTO_URL (admin hook $KURENTO_FAKE_ADMIN)"

status=0
timeout 120 node --test --test-reporter=tap interop/js/scenarios.js || status=$?

kill -TERM "$fake_pid"
if ! wait "$fake_pid"; then
  echo "kurento-fake did not exit cleanly"; status=1
fi
fake_pid=
if [ "$status" -ne 0 ]; then
  echo "--- kurento-fake stderr"; cat "$work/stderr"
fi
exit "$status"
