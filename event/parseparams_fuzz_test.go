package event_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/event"
)

// FuzzParseParams feeds arbitrary onEvent params to ParseParams (and what
// it returns to Decode): no panic, and a parsed event written back as
// params parses to the same bytes again.
func FuzzParseParams(f *testing.F) {
	for _, frame := range frames(f) {
		var n struct {
			Params json.RawMessage `json:"params"`
		}
		require.NoError(f, json.Unmarshal(frame, &n))
		f.Add([]byte(n.Params))
	}
	for _, s := range []string{
		`{}`, `{"value":null}`, `{"value":{}}`, `{"value":{"data":null,"object":"","type":""}}`,
		`{"value":{"type":1}}`, `{"value":{"type":"Error","object":"o","data":[1]}}`, `[]`, `null`,
		`{"value":{"type":"Error","object":"o","data":{"timestampMillis":"x"}},"value":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, params []byte) {
		r, err := event.ParseParams(params)
		if err != nil {
			return
		}
		_, _ = event.Decode(r) // only that it does not panic; FuzzDecode checks the decoders
		b, err := json.Marshal(map[string]any{"value": r})
		require.NoError(t, err)
		r2, err := event.ParseParams(b)
		require.NoError(t, err, "%s", b)
		require.Equal(t, r.Type, r2.Type)
		require.Equal(t, r.Object, r2.Object)
		b2, err := json.Marshal(map[string]any{"value": r2})
		require.NoError(t, err)
		require.Equal(t, string(b), string(b2))
	})
}
