#!/usr/bin/env bash
# "Never lost at the defaults": the 100,000-event ICE burst (IceCandidateFound
# then IceGatheringDone, written by a server as fast as its socket takes
# them, read by a consumer that only counts) must arrive complete and in
# order with the default settings and without the race detector, three
# times, while another go test loads the machine. The README's test command
# runs the same test under -race with a smaller burst.
set -euo pipefail
cd "$(dirname "$0")/../.."

go test -count=1 ./kurentotest/ ./types/ ./event/ >/dev/null &
load=$!
go test -count=3 -v -run '^TestBurstArrivesCompleteAtDefaults$' ./client/ | grep -E '^(--- |ok|FAIL|PASS)'
wait "$load"
