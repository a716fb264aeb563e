package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/kms"
)

// TestClientFileIsCurrent: client/errors_gen.go is what the code table
// renders to (go generate ./client rewrites it).
func TestClientFileIsCurrent(t *testing.T) {
	t.Parallel()
	want, err := render(kms.Codes())
	require.NoError(t, err)
	got, err := os.ReadFile("../../../client/errors_gen.go")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "run go generate ./client")
}
