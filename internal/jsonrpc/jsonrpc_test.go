package jsonrpc

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "invoke", "p_kurento.MediaPipeline/e", `a"b`, `back\slash`, "tab\t", "é", "\u2028"} {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(AppendString(nil, s)), "%q", s)
	}
	assert.Equal(t, `x"y"`, string(AppendString([]byte("x"), "y")), "appends")
}
