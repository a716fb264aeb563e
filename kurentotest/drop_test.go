package kurentotest_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
)

// A request the server executed just before DropConnections loses its
// reply with the socket; resent with the same id on a new socket of the
// session, it is answered from the reply cache and not executed twice. A
// real KMS does the same (checked against 7.3 with a socket torn down right
// after a create and a subscribe). A request the server never read is lost
// on any server: a client must resend it.
func TestDropLosesReplyCacheKeepsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := kurentotest.NewServer(t)
		w := memDial(t, s)
		v := match(t, `{"id":1,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":"{{P}}"}}`,
			w.call(`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"MediaPipeline"}}`), nil)
		sub := `{"jsonrpc":"2.0","id":2,"method":"subscribe","params":{"object":"` + v["P"] + `","type":"Error"}}`

		// The subscribe runs, then the drop takes the socket before the
		// reply is read.
		w.send(sub)
		synctest.Wait()
		subs := s.Subscriptions()
		require.Len(t, subs, 1, "the subscribe ran before the drop")
		require.Len(t, subs[0].IDs, 1)
		s.DropConnections()

		w2 := memDial(t, s)
		require.Contains(t, w2.call(`{"jsonrpc":"2.0","id":3,"method":"connect","params":{"sessionId":"`+v["S"]+`"}}`), `"result"`)
		assertFrame(t, `{"id":2,"jsonrpc":"2.0","result":{"sessionId":"`+v["S"]+`","value":"`+subs[0].IDs[0]+`"}}`,
			w2.call(sub), "the resend gets the lost reply")
		subs = s.Subscriptions()
		require.Len(t, subs, 1)
		assert.Len(t, subs[0].IDs, 1, "the resend did not subscribe again")
		calls := s.Calls()
		require.Len(t, calls, 4)
		assert.False(t, calls[1].Cached)
		assert.Equal(t, "subscribe", calls[3].Method)
		assert.True(t, calls[3].Cached)
	})
}
