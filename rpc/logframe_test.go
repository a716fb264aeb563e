package rpc

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFrameLogRedactsSDPAndSecrets(t *testing.T) {
	t.Parallel()
	frame := `{"jsonrpc":"2.0","id":3,"method":"invoke","params":{"object":"p/e","operation":"processOffer",` +
		`"operationParams":{"offer":"v=0\r\no=- 1 2 IN IP4 10.1.2.3\r\n"},"sessionId":"s"}}`
	got := frameLog(frame).LogValue().String()
	assert.NotContains(t, got, "10.1.2.3")
	assert.Contains(t, got, `"offer":"\u003credacted`)
	assert.Contains(t, got, `"operation":"processOffer"`, "the rest stays readable")

	reply := `{"id":3,"jsonrpc":"2.0","result":{"sessionId":"s","value":"v=0\r\nc=IN IP4 192.0.2.7\r\n"}}`
	assert.NotContains(t, frameLog(reply).LogValue().String(), "192.0.2.7", "an SDP value is recognised by its start")

	turn := `{"params":{"operationParams":{"turnUrl":"user:pw@turn.example:3478"}}}`
	assert.NotContains(t, frameLog(turn).LogValue().String(), "user:pw")
	assert.Contains(t, frameLog("not json").LogValue().String(), "not JSON")
}

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
			m, p, ok := notificationFast([]byte(tt.frame))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.method, m)
			if tt.ok {
				assert.JSONEq(t, tt.params, string(p))
			}
		})
	}
}
