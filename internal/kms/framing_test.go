package kms_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/kms"
)

func TestNotificationFastPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, frame, method, params string
		ok                          bool
	}{
		{"kms event", `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{},"object":"o","type":"T"}}}`, "onEvent", `{"value":{"data":{},"object":"o","type":"T"}}`, true},
		{"trailing newline", "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{}}\n", "m", `{}`, true},
		{"a reply", `{"id":1,"jsonrpc":"2.0","result":{}}`, "", "", false},
		{"params not an object", `{"jsonrpc":"2.0","method":"m","params":[1]}`, "", "", false},
		{"escaped method", `{"jsonrpc":"2.0","method":"a\"b","params":{}}`, "", "", false},
		{"no params", `{"jsonrpc":"2.0","method":"m"}`, "", "", false},
		{"other key order", `{"method":"m","jsonrpc":"2.0","params":{}}`, "", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, p, ok := kms.Notification([]byte(tt.frame))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.method, m)
			if tt.ok {
				assert.JSONEq(t, tt.params, string(p))
			}
		})
	}
}

func TestReplyAndPrefixID(t *testing.T) {
	t.Parallel()
	id, ok := kms.ReplyID([]byte(`{"id":42,"jsonrpc":"2.0","result":{"value":1}}`))
	assert.True(t, ok)
	assert.Equal(t, uint64(42), id)
	_, ok = kms.ReplyID([]byte(`{"id":42,"error":{"code":1,"message":"m"},"jsonrpc":"2.0"}`))
	assert.False(t, ok, "error replies take the general path")
	_, ok = kms.ReplyID([]byte(`{"jsonrpc":"2.0","id":42,"result":{}}`))
	assert.False(t, ok, "another key order")
	id, ok = kms.PrefixID([]byte(" {\"id\":7,\"error\":"))
	assert.True(t, ok)
	assert.Equal(t, uint64(7), id)
	_, ok = kms.PrefixID([]byte(`{"jsonrpc":"2.0","id":7`))
	assert.False(t, ok)
}

func TestSecret(t *testing.T) {
	t.Parallel()
	assert.True(t, kms.Secret("offer", "x"))
	assert.True(t, kms.Secret("turnUrl", "u:p@h"))
	assert.True(t, kms.Secret("value", "v=0\r\n"))
	assert.False(t, kms.Secret("operation", "processOffer"))
}

func TestEventFrame(t *testing.T) {
	t.Parallel()
	frame := kms.AppendOnEvent(nil, "p/e", "EndOfStream", []byte(`{"type":"EndOfStream"}`))
	method, params, ok := kms.Notification(frame)
	assert.True(t, ok)
	assert.Equal(t, kms.MethodOnEvent, method)
	obj, typ, data, ok := kms.SplitEventParams(params)
	assert.True(t, ok)
	assert.Equal(t, "p/e", obj)
	assert.Equal(t, "EndOfStream", typ)
	assert.JSONEq(t, `{"type":"EndOfStream"}`, string(data))
}

func TestParamsAppend(t *testing.T) {
	t.Parallel()
	p := kms.Params{Object: "o", Operation: "getName", PayloadAs: kms.ParamOperationParams, Payload: map[string]int{"a": 1}}
	b, err := p.Append(nil, "s")
	require.NoError(t, err)
	assert.JSONEq(t, `{"object":"o","operation":"getName","operationParams":{"a":1},"sessionId":"s"}`, string(b))
	b, err = kms.AppendTxOp(nil, 2, kms.MethodCreate, &kms.Params{Type: "MediaPipeline"}, "s")
	require.NoError(t, err)
	assert.Equal(t, `{"jsonrpc":"2.0","id":2,"method":"create","params":{"type":"MediaPipeline","sessionId":"s"}}`, string(b)) //nolint:testifylint // the exact bytes: member order is what is tested
	_, err = (&kms.Params{PayloadAs: kms.ParamOperationParams, Payload: func() {}}).Append(nil, "")
	assert.ErrorIs(t, err, kms.ErrPayload)
}
