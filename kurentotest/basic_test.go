package kurentotest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBasicFlow(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w := tg.dial(t)
	v := match(t, `{"id":1,"jsonrpc":"2.0","result":{"serverId":"{{srv}}","sessionId":"{{S}}"}}`,
		w.call(`{"jsonrpc":"2.0","id":1,"method":"connect"}`), nil)
	v = match(t, `{"id":2,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":"{{P}}_kurento.MediaPipeline"}}`,
		w.call(`{"jsonrpc":"2.0","id":2,"method":"create","params":{"type":"MediaPipeline","constructorParams":{},"properties":{}}}`), v)
	v = match(t, `{"id":3,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":"{{P}}_kurento.MediaPipeline/{{E}}_kurento.WebRtcEndpoint"}}`,
		w.call(expand(`{"jsonrpc":"2.0","id":3,"method":"create","params":{"type":"WebRtcEndpoint","constructorParams":{"mediaPipeline":"{{P}}_kurento.MediaPipeline"},"sessionId":"{{S}}"}}`, v)), v)
	ep := expand(`{{P}}_kurento.MediaPipeline/{{E}}_kurento.WebRtcEndpoint`, v)
	match(t, `{"id":4,"jsonrpc":"2.0","result":{"hierarchy":["kurento.BaseRtpEndpoint","kurento.SdpEndpoint","kurento.SessionEndpoint","kurento.Endpoint","kurento.MediaElement","kurento.MediaObject"],"qualifiedType":"kurento.WebRtcEndpoint","sessionId":"{{S}}","type":"WebRtcEndpoint"}}`,
		w.call(`{"jsonrpc":"2.0","id":4,"method":"describe","params":{"object":"`+ep+`"}}`), v)
	match(t, `{"id":5,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":500}}`,
		w.call(`{"jsonrpc":"2.0","id":5,"method":"invoke","params":{"object":"`+ep+`","operation":"getMaxVideoSendBandwidth"}}`), v)
	match(t, `{"id":6,"jsonrpc":"2.0","result":{"sessionId":"{{S}}"}}`,
		w.call(expand(`{"jsonrpc":"2.0","id":6,"method":"release","params":{"object":"{{P}}_kurento.MediaPipeline"}}`, v)), v)
	if s := tg.fake; s != nil {
		objs := s.Objects()
		require.Len(t, objs, 1)
		assert.Equal(t, "manager_ServerManager", objs[0].ID)
		assert.Len(t, s.Calls(), 6)
	}
}
