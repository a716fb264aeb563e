package idl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/idl"
)

func chromaKMD(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "chromatest", "chroma.kmd.json"))
	require.NoError(t, err)
	return b
}

func TestExtend(t *testing.T) {
	base := idl.Load()
	nClasses := len(base.Classes)
	f, err := idl.Extend(base, chromaKMD(t))
	require.NoError(t, err)
	assert.Len(t, base.Classes, nClasses, "base is not modified")
	assert.Equal(t, "chroma", f.Modules[len(f.Modules)-1].Name)
	c, ok := f.Class("ChromaFilter")
	require.True(t, ok)
	assert.Equal(t, "chroma", c.Module)
	assert.Equal(t, []string{"Filter", "MediaElement", "MediaObject"}, f.Hierarchy("ChromaFilter"))
	assert.True(t, f.IsA("ChromaFilter", "MediaElement"))
	assert.Contains(t, f.ClassEvents("ChromaFilter"), "Error", "inherited events")
	assert.Equal(t, []string{"ChromaFilter"}, f.Factories("chroma"))
	_, ok = f.Type("WindowParam")
	assert.True(t, ok)
	_, ok = base.Class("ChromaFilter")
	assert.False(t, ok)
}

func TestExtendRefuses(t *testing.T) {
	_, err := idl.Extend(idl.Load())
	require.Error(t, err, "no file")
	_, err = idl.Extend(idl.Load(), []byte(`{"name": "core", "version": "1"}`))
	require.ErrorContains(t, err, "already known")
	_, err = idl.Extend(idl.Load(), []byte(`{"name": "x", "version": "1", "imports": [{"name": "nosuch"}]}`))
	require.ErrorContains(t, err, "x imports nosuch")
	_, err = idl.Extend(idl.Load(), []byte(`{"name": "x", "version": "1", "remoteClasses": [{"name": "Filter"}]}`))
	require.ErrorContains(t, err, "Filter", "a name of a built-in class")
	_, err = idl.Extend(idl.Load(), []byte(`{"name": "x", "version": "1", "remoteClasses": [{"name": "A", "extends": "Nope"}]}`))
	require.Error(t, err, "unknown parent")
	_, err = idl.Extend(idl.Load(), []byte(`not json`))
	require.Error(t, err)
	_, err = idl.Extend(idl.Load(), chromaKMD(t), chromaKMD(t))
	require.Error(t, err, "the same module twice")
}

// TestStripKMD: a stripped kmd.json gives the same facts as the original,
// and stripping is idempotent.
func TestStripKMD(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "extra.kmd.json"))
	require.NoError(t, err)
	base, err := os.ReadFile(filepath.Join("testdata", "base.kmd.json"))
	require.NoError(t, err)
	stripped, err := idl.StripKMD(orig)
	require.NoError(t, err)
	again, err := idl.StripKMD(stripped)
	require.NoError(t, err)
	assert.Equal(t, string(stripped), string(again))
	a, err := idl.FromKMD(base, orig)
	require.NoError(t, err)
	b, err := idl.FromKMD(base, stripped)
	require.NoError(t, err)
	ja, err := a.Marshal()
	require.NoError(t, err)
	jb, err := b.Marshal()
	require.NoError(t, err)
	assert.Equal(t, string(ja), string(jb))
	assert.NotContains(t, string(stripped), `"doc"`)
	_, err = idl.StripKMD([]byte(`{}`))
	require.Error(t, err)
}
