package kurentotest_test

import (
	"encoding/json"
	"testing"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newPeer returns a pion PeerConnection with an audio and a video
// transceiver (sendrecv) and, if dc, a data channel.
func newPeer(t *testing.T, dc bool) *webrtc.PeerConnection {
	t.Helper()
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		_, err := pc.AddTransceiverFromKind(k)
		require.NoError(t, err)
	}
	if dc {
		_, err := pc.CreateDataChannel("chat", nil)
		require.NoError(t, err)
	}
	return pc
}

func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}

func TestPionAcceptsAnswer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name           string
		dataChannels   bool
		wantAppPortOne bool
	}{
		{name: "data channels disabled", dataChannels: false},
		{name: "data channels enabled", dataChannels: true, wantAppPortOne: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := newTarget(t)
			w, _, pipe := session(t, tg)
			params := `{"mediaPipeline":"` + pipe + `"}`
			if tt.dataChannels {
				params = `{"mediaPipeline":"` + pipe + `","useDataChannels":true}`
			}
			ep := create(t, w, "WebRtcEndpoint", params)

			pc := newPeer(t, true)
			offer, err := pc.CreateOffer(nil)
			require.NoError(t, err)
			require.NoError(t, pc.SetLocalDescription(offer))

			r, _ := invoke(t, w, ep, "processOffer", `{"offer":`+jsonString(t, offer.SDP)+`}`)
			answer, ok := value(t, r).(string)
			require.True(t, ok, r)
			require.NoError(t, pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}))

			desc := webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}
			parsed, err := desc.Unmarshal()
			require.NoError(t, err)
			require.Len(t, parsed.MediaDescriptions, 3)
			app := parsed.MediaDescriptions[2]
			assert.Equal(t, "application", app.MediaName.Media)
			if tt.wantAppPortOne {
				assert.Equal(t, 1, app.MediaName.Port.Value)
			} else {
				assert.Equal(t, 0, app.MediaName.Port.Value)
			}
		})
	}
}

func TestPionAnswersGeneratedOffer(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	r, _ := invoke(t, w, ep, "generateOffer", "")
	offer, ok := value(t, r).(string)
	require.True(t, ok, r)

	pc := newPeer(t, false)
	require.NoError(t, pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}))
	answer, err := pc.CreateAnswer(nil)
	require.NoError(t, err)
	require.NoError(t, pc.SetLocalDescription(answer))

	r, _ = invoke(t, w, ep, "processAnswer", `{"answer":`+jsonString(t, answer.SDP)+`}`)
	assert.Equal(t, offer, value(t, r), "processAnswer returns the local description")
	r, _ = invoke(t, w, ep, "getRemoteSessionDescriptor", "")
	assert.Equal(t, answer.SDP, value(t, r))
}
