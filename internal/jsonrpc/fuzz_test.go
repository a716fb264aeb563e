package jsonrpc_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/jsonrpc"
)

// FuzzMessage decodes arbitrary bytes as a JSON-RPC envelope: no panic, and
// what decodes encodes and decodes again to the same bytes, telling the
// same kind of frame with the same id.
func FuzzMessage(f *testing.F) {
	fh, err := os.Open("testdata/frames.jsonl")
	require.NoError(f, err)
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f.Add(bytes.Clone(sc.Bytes()))
	}
	require.NoError(f, sc.Err())
	require.NoError(f, fh.Close())
	for _, s := range []string{
		`{}`, `{"id":null,"result":null}`, `{"id":"a\u0000","method":"m","params":[1]}`,
		`{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"\ud800","data":{"a":"<&>"}}}`,
		`{"method":"onEvent","params":{"value":{"data":{}}},"result":1}`, `{"id":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		var m jsonrpc.Message
		if json.Unmarshal(frame, &m) != nil {
			return
		}
		b, err := json.Marshal(&m)
		require.NoError(t, err)
		var m2 jsonrpc.Message
		require.NoError(t, json.Unmarshal(b, &m2), "%s", b)
		b2, err := json.Marshal(&m2)
		require.NoError(t, err)
		require.Equal(t, string(b), string(b2))
		require.Equal(t, m.IsResponse(), m2.IsResponse())
		id, ok := jsonrpc.IntID(m.ID)
		id2, ok2 := jsonrpc.IntID(m2.ID)
		require.Equal(t, ok, ok2)
		require.Equal(t, id, id2)
	})
}
