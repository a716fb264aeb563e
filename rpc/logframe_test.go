package rpc

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gokurento/kurento/internal/kms"
)

func TestFrameLogRedactsSDPAndSecrets(t *testing.T) {
	t.Parallel()
	frame := `{"jsonrpc":"2.0","id":3,"method":"invoke","params":{"object":"p/e","operation":"processOffer",` +
		`"operationParams":{"offer":"v=0\r\no=- 1 2 IN IP4 10.1.2.3\r\n"},"sessionId":"s"}}`
	got := frameLog{[]byte(frame), kms.Secret}.LogValue().String()
	assert.NotContains(t, got, "10.1.2.3")
	assert.Contains(t, got, `"offer":"\u003credacted`)
	assert.Contains(t, got, `"operation":"processOffer"`, "the rest stays readable")

	reply := `{"id":3,"jsonrpc":"2.0","result":{"sessionId":"s","value":"v=0\r\nc=IN IP4 192.0.2.7\r\n"}}`
	assert.NotContains(t, frameLog{[]byte(reply), kms.Secret}.LogValue().String(), "192.0.2.7", "an SDP value is recognised by its start")

	turn := `{"params":{"operationParams":{"turnUrl":"user:pw@turn.example:3478"}}}`
	assert.NotContains(t, frameLog{[]byte(turn), kms.Secret}.LogValue().String(), "user:pw")
	assert.Contains(t, frameLog{[]byte("not json"), kms.Secret}.LogValue().String(), "not JSON")
}

func TestFrameLogWithoutDialectKeepsTheFrame(t *testing.T) {
	t.Parallel()
	frame := `{"params":{"offer":"v=0"}}`
	assert.Equal(t, frame, frameLog{frame: []byte(frame)}.LogValue().String())
	assert.Contains(t, frameLog{frame: []byte("not json")}.LogValue().String(), "not JSON")
}
