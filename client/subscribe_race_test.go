package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
)

// TestSubscribeOverflowBehindAck is the regression test of a data race:
// with a buffer of one event and events written right behind the subscribe
// reply, the read loop ended the subscription (overflow) while Subscribe was
// still setting it up, and Subscribe returned an already closed channel
// with a nil error. Run it with -race.
func TestSubscribeOverflowBehindAck(t *testing.T) {
	t.Parallel()
	const burst = 64
	stub := &stubKMS{afterSubscribe: func(object, typ string) [][]byte {
		frames := make([][]byte, burst)
		for i := range frames {
			frames[i] = onEventFrame(object, typ, map[string]any{"description": "x", "errorCode": i, "type": "t"})
		}
		return frames
	}}
	url := stub.start(t)
	for range 20 {
		c, err := client.Dial(testCtx(t), url, client.WithEventBuffer(1), client.WithErrorHandler(func(error) {}))
		require.NoError(t, err)
		o := c.Object("MediaPipeline", "p1")
		ch, err := o.Subscribe(testCtx(t), "Error")
		require.NoError(t, err)
		n := 0
		for range ch {
			n++
		}
		assert.Positive(t, n, "events queued before the overflow are delivered")
		require.NoError(t, c.Close())
	}
}
