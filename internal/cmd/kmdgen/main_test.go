package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/internal/idl"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testFacts(t *testing.T) *idl.Facts {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "kmdgen", "testdata", "*.kmd.json"))
	require.NoError(t, err)
	var files [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		files = append(files, b)
	}
	f, err := idl.FromKMD(files...)
	require.NoError(t, err)
	return f
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	factsFile := filepath.Join(dir, "facts.json")
	b, err := testFacts(t).Marshal()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(factsFile, b, 0o644))
	require.NoError(t, run("event", factsFile, dir))
	assert.FileExists(t, filepath.Join(dir, "core_gen.go"))
	assert.FileExists(t, filepath.Join(dir, "extra_gen.go"))
	require.Error(t, run("nosuchpkg", "", dir))
	assert.Error(t, run("types", filepath.Join(dir, "missing.json"), dir))
}
