#!/usr/bin/env bash
# The OpenTelemetry adapter is a module of its own (otelkurento/, with a
# replace to the SDK in this tree), which the root ./... patterns never
# enter: build, vet, lint and test it here, and check that OpenTelemetry
# stays out of the SDK's own module.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$(go env GOPATH)/bin:$PATH"

if grep -q 'go.opentelemetry.io' go.mod; then
  echo "the root module must not depend on OpenTelemetry (it belongs in otelkurento/go.mod)"; exit 1
fi

cd otelkurento
go mod download
if ! go mod tidy -diff; then
  echo "otelkurento/go.mod or go.sum is not tidy (run go mod tidy in otelkurento)"; exit 1
fi
go build ./...
go vet ./...
golangci-lint run ./...
go test -race -shuffle=on -count=1 ./...
