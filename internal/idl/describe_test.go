package idl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDescriptionsComplete fails for every item of the built-in modules
// that has no description, and for every description naming no item.
func TestDescriptionsComplete(t *testing.T) {
	d, err := LoadDescriptions()
	require.NoError(t, err)
	f := Load()
	for _, k := range d.Missing(f) {
		t.Errorf("no description: %s", k)
	}
	for _, k := range d.Unknown(f) {
		t.Errorf("description of no IDL item: %s", k)
	}
}

func TestParseDescriptions(t *testing.T) {
	src := "# comment\n" +
		"class A\n" +
		"\tFirst line\n" +
		"  continued.\n" +
		"\n" +
		"\tSecond paragraph.\n" +
		"\n" +
		"param A.m.p\n" +
		"\tOne.\n"
	d, err := ParseDescriptions("x.txt", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, "First line continued.\n\nSecond paragraph.", d.Get(ClassKey("A")))
	assert.Equal(t, "One.", d.Get(ParamKey("A", "m", "p")))
	assert.Empty(t, d.Get(ClassKey("B")))
	assert.Equal(t, 2, d.Len())
	var none *Descriptions
	assert.Empty(t, none.Get(ClassKey("A")))
}

func TestParseDescriptionsErrors(t *testing.T) {
	for name, src := range map[string]string{
		"text first": "\tloose text\n",
		"bad kind":   "klass A\n\tx\n",
		"no key":     "class\n\tx\n",
		"no text":    "class A\nclass B\n\tx\n",
		"twice":      "class A\n\tx\nclass A\n\ty\n",
		"space key":  "method A. m\n\tx\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseDescriptions("x.txt", []byte(src))
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "idl: x.txt:"), err.Error())
		})
	}
}

func TestDescriptionsMergeAndModules(t *testing.T) {
	a, err := ParseDescriptions("a", []byte("class WebRtcEndpoint\n\tx\n"))
	require.NoError(t, err)
	b, err := ParseDescriptions("b", []byte("class Nope\n\ty\n"))
	require.NoError(t, err)
	m, err := a.Merge(b)
	require.NoError(t, err)
	assert.Equal(t, 2, m.Len())
	_, err = m.Merge(a)
	require.Error(t, err)

	f := Load()
	assert.Equal(t, []DescKey{ClassKey("Nope")}, m.Unknown(f))
	missing := m.Missing(f, "elements")
	assert.NotContains(t, missing, ClassKey("WebRtcEndpoint"))
	assert.Contains(t, missing, ClassKey("PlayerEndpoint"))
	assert.NotContains(t, missing, ClassKey("MediaElement"), "a core class is outside elements")
	keys, required := f.Items()
	assert.Len(t, required, len(keys))
	assert.Contains(t, keys, MemberKey("MediaType", "AUDIO"))
}
