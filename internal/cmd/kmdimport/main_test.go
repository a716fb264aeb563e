package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	in := filepath.Join("..", "..", "idl", "testdata")
	out := filepath.Join(t.TempDir(), "facts.json")
	require.NoError(t, run(out, false, []string{
		filepath.Join(in, "base.kmd.json"),
		filepath.Join(in, "extra.kmd.json"),
	}))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(in, "want.facts.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))

	// Deterministic: a second run leaves identical bytes.
	require.NoError(t, run(out, false, []string{
		filepath.Join(in, "extra.kmd.json"),
		filepath.Join(in, "base.kmd.json"),
	}))
	again, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, string(got), string(again))

	require.Error(t, run(out, false, nil))
	assert.Error(t, run(out, false, []string{filepath.Join(in, "missing.kmd.json")}))
}
