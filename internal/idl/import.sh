#!/bin/sh
# import.sh regenerates internal/idl/facts.json from the Kurento 7.3.0 IDL.
#
# It fetches the client packages with npm into a temporary directory, hands
# their src/*.kmd.json files to internal/cmd/kmdimport, and deletes the
# directory again: the official files are never committed, only the facts
# extracted from them. Run from anywhere inside the repository:
#
#	sh internal/idl/import.sh
set -eu

version=7.3.0
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cd "$tmp"
for pkg in core elements filters; do
	npm pack --silent "kurento-client-$pkg@$version" >/dev/null
	mkdir "$pkg"
	tar -xzf "kurento-client-$pkg-$version.tgz" -C "$pkg"
done

cd "$root"
go run ./internal/cmd/kmdimport -o internal/idl/facts.json "$tmp"/*/package/src/*.kmd.json
