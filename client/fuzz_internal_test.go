package client

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/kms"
)

// FuzzTxResults decodes arbitrary bytes as the value of a transaction
// reply (one JSON-RPC response per operation) and settles each entry the
// way Commit does: creates take the returned id, invokes decode the value
// into results of several shapes, errors become *Error. Nothing may panic,
// and the decoded replies encode and decode again to the same bytes.
func FuzzTxResults(f *testing.F) {
	fh, err := os.Open("testdata/transaction-results.jsonl")
	require.NoError(f, err)
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f.Add(bytes.Clone(sc.Bytes()))
	}
	require.NoError(f, sc.Err())
	require.NoError(f, fh.Close())
	for _, s := range []string{
		`[]`, `null`, `{}`, `[null]`, `[{}]`, `[{"result":null}]`, `[{"result":{"value":null}}]`,
		`[{"id":0,"result":{"value":""}}]`, `[{"id":0,"result":{"value":12}}]`,
		`[{"id":1,"error":{"code":40101,"message":"m","data":{"type":"MEDIA_OBJECT_NOT_FOUND"}}}]`,
		`[{"id":1,"error":{"code":40008,"message":"m","data":"x"}}]`, `[{"error":{}}]`,
		`[{"id":0,"result":{"value":{"a":[1,{"b":null}]}}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, value []byte) {
		var replies []kms.TxReply
		if json.Unmarshal(value, &replies) != nil {
			return
		}
		b, err := json.Marshal(replies)
		require.NoError(t, err)
		var again []kms.TxReply
		require.NoError(t, json.Unmarshal(b, &again), "%s", b)
		b2, err := json.Marshal(again)
		require.NoError(t, err)
		require.Equal(t, string(b), string(b2))

		tx := &Tx{}
		for i, rep := range replies {
			if rep.Error != nil {
				e := serverError(rep.Error.Code, rep.Error.Message, rep.Error.Data)
				require.Equal(t, Code(rep.Error.Code), e.Code)
				require.NotEmpty(t, e.Error())
				continue
			}
			created := &Object{typ: "MediaPipeline"}
			created.ref.Store(&objRef{id: kms.NewRef(i), gen: 1, tx: tx, index: i})
			if tx.settle(txOp{method: "create", created: created}, rep.Result) == nil {
				require.NotEmpty(t, created.ID())
				require.Nil(t, created.ref.Load().tx, "a created object is no longer pending")
			} else {
				require.True(t, strings.HasPrefix(created.ID(), "newref:"), "a failed create keeps its placeholder")
			}
			var (
				n int32
				s string
				m map[string]any
				l []string
				v any
			)
			for _, dst := range []any{&n, &s, &m, &l, &v, nil} {
				// A value of the wrong shape is an error, not a panic.
				_ = tx.settle(txOp{method: "invoke", operation: "op", result: dst}, rep.Result)
			}
		}
	})
}
