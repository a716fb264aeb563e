package kurentotest_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
)

// eventTypes lists "type" or "type:state" of event frames.
func eventTypes(t *testing.T, frames []string) []string {
	t.Helper()
	var out []string
	for _, f := range frames {
		var m struct {
			Params struct {
				Value struct {
					Type string         `json:"type"`
					Data map[string]any `json:"data"`
				} `json:"value"`
			} `json:"params"`
		}
		require.NoError(t, jsonUnmarshal(f, &m), f)
		s := m.Params.Value.Type
		if st, ok := m.Params.Value.Data["state"].(string); ok {
			s += ":" + st
		}
		if mt, ok := m.Params.Value.Data["mediaType"].(string); ok && strings.HasPrefix(s, "MediaFlow") {
			s += ":" + mt
		}
		out = append(out, s)
	}
	return out
}

// recvEvents reads n frames.
func (w *wsConn) recvEvents(n int) []string {
	w.t.Helper()
	out := make([]string, 0, n)
	for range n {
		out = append(out, w.recv())
	}
	return out
}

func TestGatherCandidates(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	for _, ev := range []string{"IceCandidateFound", "IceGatheringDone", "IceComponentStateChanged"} {
		subscribe(t, w, ep, ev)
	}
	invoke(t, w, ep, "processOffer", `{"offer":`+jsonString(t, readSDP(t, "g_offer.sdp"))+`}`)
	r, evs := invoke(t, w, ep, "gatherCandidates", "")
	assert.Contains(t, r, `"value":null}}`)
	// 2 GATHERING (components 1 and 2), candidates of 2 components on
	// both m-lines of the bundle, IceGatheringDone. The fake sends them in
	// this order after the reply; a real KMS sends them in any order, some
	// before the reply and some candidates even after IceGatheringDone: the
	// candidates are counted over every event read until the end of the
	// test.
	frames := append([]string(nil), evs...)
	var gathering, later []string
	done := 0
	for i := 0; len(gathering) < 2 || done == 0; i++ {
		if i == len(frames) {
			frames = append(frames, w.recv())
		}
		switch f := frames[i]; {
		case strings.Contains(f, `"type":"IceGatheringDone"}}}`):
			done++
		case strings.Contains(f, `"type":"IceComponentStateChanged"}}}`):
			gathering = append(gathering, f)
		default:
			later = append(later, f)
		}
	}
	if tg.fake != nil {
		types := eventTypes(t, frames)
		require.GreaterOrEqual(t, len(types), 4)
		assert.Equal(t, []string{"IceComponentStateChanged:GATHERING", "IceComponentStateChanged:GATHERING"}, types[:2])
		assert.Equal(t, "IceGatheringDone", types[len(types)-1])
	}
	comps := map[string]bool{}
	for _, f := range gathering {
		v := match(t, `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{"componentId":{{c}},"source":"`+ep+`","state":"GATHERING","streamId":1,"tags":[],"timestampMillis":"{{ts}}","type":"IceComponentStateChanged"},"object":"`+ep+`","type":"IceComponentStateChanged"}}}`,
			f, nil)
		comps[v["c"]] = true
	}
	assert.Equal(t, map[string]bool{"1": true, "2": true}, comps)

	// A second gatherCandidates does not gather again.
	r, evs = invoke(t, w, ep, "gatherCandidates", "")
	assert.Contains(t, r, `"value":null}}`)
	later = append(later, evs...)

	// Empty and malformed candidates are accepted and change nothing.
	for _, c := range []string{``, `garbage`} {
		r, evs = invoke(t, w, ep, "addIceCandidate", `{"candidate":{"candidate":"`+c+`","sdpMid":"0","sdpMLineIndex":0}}`)
		assert.Contains(t, r, `"value":null}}`, c)
		later = append(later, evs...)
	}
	perMid := map[string]int{}
	for _, f := range later {
		v := match(t, `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{"candidate":{"__module__":"kurento","__type__":"IceCandidate","candidate":"{{c}}","sdpMLineIndex":"{{i}}","sdpMid":"{{mid}}"},"source":"`+ep+`","tags":[],"timestampMillis":"{{ts}}","type":"IceCandidateFound"},"object":"`+ep+`","type":"IceCandidateFound"}}}`,
			strings.Replace(strings.Replace(f, `"sdpMLineIndex":`, `"sdpMLineIndex":"`, 1), `,"sdpMid"`, `","sdpMid"`, 1), nil)
		assert.Equal(t, v["i"], v["mid"])
		assert.Contains(t, v["c"], " typ host")
		perMid[v["mid"]]++
	}
	assert.Positive(t, perMid["0"])
	assert.Positive(t, perMid["1"])
	if tg.fake != nil {
		// On a real KMS a straggler may still be on its way.
		assert.Equal(t, perMid["0"], perMid["1"], "the same candidates on both bundled m-lines")
	}

	r, _ = invoke(t, w, ep, "addIceCandidate", `{"candidate":"candidate:1 1 UDP 2122260223 127.0.0.1 54400 typ host"}`)
	assert.Contains(t, r, `{"error":{"code":40001,"data":{"type":"MARSHALL_ERROR"},"message":"'candidate' parameter should be a object"}`)
	r, _ = invoke(t, w, ep, "getICECandidatePairs", "")
	assert.Equal(t, []any{}, value(t, r))
	if tg.fake == nil {
		return // a real KMS saw "garbage" first; whether it then checks is timing
	}
	invoke(t, w, ep, "addIceCandidate", `{"candidate":{"__module__":"kurento","__type__":"IceCandidate","candidate":"candidate:1 1 UDP 2122260223 127.0.0.1 54400 typ host","sdpMid":"0","sdpMLineIndex":0}}`)
	assert.Equal(t, []string{"IceComponentStateChanged:CONNECTING"}, eventTypes(t, w.recvEvents(1)))
}

func TestGatheringNeedsNegotiation(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	subscribe(t, w, ep, "IceGatheringDone")
	// Before negotiation gatherCandidates is answered and forgotten: the
	// negotiation does not start a gathering, a later call does, and only
	// one IceGatheringDone comes.
	r, _ := invoke(t, w, ep, "gatherCandidates", "")
	assert.Contains(t, r, `"value":null}}`)
	r, _ = invoke(t, w, ep, "generateOffer", "")
	require.Contains(t, r, `"result"`)
	r, evs := w.collect(invokeFrame(ep, "gatherCandidates", ""), `"type":"IceGatheringDone"`)
	assert.Contains(t, r, `"value":null}}`)
	require.Len(t, evs, 1)
	_, evs = w.request(`{"jsonrpc":"2.0","id":"p1","method":"ping"}`)
	assert.Empty(t, evs)
}

func TestSimulateMediaFlow(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	tg := target{url: srv.URL(), fake: srv}
	w, _, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	rec := create(t, w, "RecorderEndpoint", `{"mediaPipeline":"`+pipe+`","uri":"file:///tmp/x.webm"}`)
	require.ErrorIs(t, srv.SimulateMediaFlow(ep), kurentotest.ErrNotNegotiated)
	require.Error(t, srv.SimulateMediaFlow(pipe))

	for _, ev := range []string{
		"IceComponentStateChanged", "NewCandidatePairSelected", "ConnectionStateChanged",
		"MediaStateChanged", "MediaFlowInStateChanged", "MediaFlowOutStateChanged", "IceGatheringDone",
	} {
		subscribe(t, w, ep, ev)
	}
	for _, ev := range []string{"MediaFlowInStateChanged", "UriEndpointStateChanged", "Recording"} {
		subscribe(t, w, rec, ev)
	}
	invoke(t, w, ep, "processOffer", `{"offer":`+jsonString(t, readSDP(t, "g_offer.sdp"))+`}`)
	invoke(t, w, ep, "connect", `{"sink":"`+rec+`"}`)
	r, evs := invoke(t, w, rec, "record", "")
	assert.Contains(t, r, `"value":null}}`)
	assert.Empty(t, evs, "nothing flows yet: no Recording")
	r, _ = invoke(t, w, rec, "getState", "")
	assert.Equal(t, "STOP", value(t, r))

	require.NoError(t, srv.SimulateMediaFlow(ep))
	// What the peer sends leaves the endpoint into the pipeline (its
	// flow out) and enters the recorder (its flow in).
	got := eventTypes(t, w.recvEvents(15))
	assert.Equal(t, []string{
		"IceComponentStateChanged:GATHERING", "IceComponentStateChanged:GATHERING", "IceGatheringDone",
		"IceComponentStateChanged:CONNECTING", "IceComponentStateChanged:CONNECTED", "NewCandidatePairSelected",
		"IceComponentStateChanged:READY",
		"ConnectionStateChanged", "MediaStateChanged",
		"MediaFlowOutStateChanged:FLOWING:AUDIO", "MediaFlowOutStateChanged:FLOWING:VIDEO",
		"MediaFlowInStateChanged:FLOWING:AUDIO", "MediaFlowInStateChanged:FLOWING:VIDEO",
		"UriEndpointStateChanged:START", "Recording",
	}, got)
	assert.Contains(t, w.call(`{"jsonrpc":"2.0","id":"p1","method":"ping"}`), `"id":"p1"`, "no more events")

	for op, want := range map[string]any{
		"getMediaState": "CONNECTED", "getConnectionState": "CONNECTED",
	} {
		r, _ = invoke(t, w, ep, op, "")
		assert.Equal(t, want, value(t, r), op)
	}
	r, _ = invoke(t, w, ep, "isMediaFlowingIn", `{"mediaType":"VIDEO"}`)
	assert.Equal(t, false, value(t, r), "nothing enters the endpoint from the pipeline")
	r, _ = invoke(t, w, rec, "isMediaFlowingIn", `{"mediaType":"AUDIO"}`)
	assert.Equal(t, true, value(t, r))
	r, _ = invoke(t, w, ep, "isMediaFlowingOut", `{"mediaType":"AUDIO"}`)
	assert.Equal(t, true, value(t, r))
	r, _ = invoke(t, w, rec, "getState", "")
	assert.Equal(t, "START", value(t, r))
	r, _ = invoke(t, w, ep, "getICECandidatePairs", "")
	pairs, ok := value(t, r).([]any)
	require.True(t, ok)
	assert.Len(t, pairs, 1)
	require.NoError(t, srv.SimulateMediaFlow(ep), "a second call does nothing")
}

func TestRecorderAndPlayer(t *testing.T) {
	t.Parallel()
	// In a bubble, so the end of stream comes at a known fake time.
	synctest.Test(t, testRecorderAndPlayer)
}

func testRecorderAndPlayer(t *testing.T) {
	srv := kurentotest.NewServer(t, kurentotest.WithPlayerDuration(3*time.Second),
		kurentotest.WithMissingURIs("file:///media/video.webm"))
	tg := target{url: srv.URL(), client: srv.HTTPClient(), fake: srv}
	w, _, pipe := session(t, tg)
	start := time.Now()

	player := create(t, w, "PlayerEndpoint", `{"mediaPipeline":"`+pipe+`","uri":"file:///srv/media/video.webm"}`)
	rec := create(t, w, "RecorderEndpoint", `{"mediaPipeline":"`+pipe+`","uri":"file:///srv/rec/out.webm"}`)
	for _, ev := range []string{"Recording", "UriEndpointStateChanged", "Stopped", "Paused"} {
		subscribe(t, w, rec, ev)
	}
	for _, ev := range []string{"EndOfStream", "UriEndpointStateChanged", "MediaFlowOutStateChanged"} {
		subscribe(t, w, player, ev)
	}
	invoke(t, w, player, "connect", `{"sink":"`+rec+`"}`)
	_, evs := invoke(t, w, rec, "record", "")
	assert.Empty(t, evs)
	_, evs = invoke(t, w, player, "play", "")
	// As on the real server (h_recorder_player.frames.txt).
	assert.Equal(t, []string{
		"UriEndpointStateChanged:START",
		"MediaFlowOutStateChanged:FLOWING:AUDIO", "MediaFlowOutStateChanged:FLOWING:VIDEO",
		"UriEndpointStateChanged:START", "Recording",
	}, eventTypes(t, evs))
	match(t, `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{"source":"`+rec+`","tags":[],"timestampMillis":"{{ts}}","type":"Recording"},"object":"`+rec+`","type":"Recording"}}}`, evs[4], nil)

	_, evs = invoke(t, w, rec, "pause", "")
	assert.Equal(t, []string{"UriEndpointStateChanged:PAUSE", "Paused"}, eventTypes(t, evs))
	assert.Equal(t, []string{"UriEndpointStateChanged:STOP", "EndOfStream"}, eventTypes(t, w.recvEvents(2)))
	assert.Equal(t, 3*time.Second, time.Since(start))
	r, evs := invoke(t, w, rec, "stopAndWait", "")
	assert.Contains(t, r, `"value":null}}`)
	assert.Equal(t, []string{"UriEndpointStateChanged:STOP", "Stopped"}, eventTypes(t, evs))
	r, _ = invoke(t, w, player, "getState", "")
	assert.Equal(t, "STOP", value(t, r))

	// A missing file.
	missing := create(t, w, "PlayerEndpoint", `{"mediaPipeline":"`+pipe+`","uri":"file:///media/video.webm"}`)
	subscribe(t, w, missing, "Error")
	subscribe(t, w, missing, "UriEndpointStateChanged")
	_, evs = invoke(t, w, missing, "play", "")
	require.Len(t, evs, 2)
	match(t, `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{"description":"Invalid URI","errorCode":0,"source":"`+missing+`","tags":[],"timestampMillis":"{{ts}}","type":"INVALID_URI"},"object":"`+missing+`","type":"Error"}}}`, evs[0], nil)
	assert.Equal(t, "UriEndpointStateChanged:START", eventTypes(t, evs[1:])[0])

	// Player pause and stop.
	_, evs = invoke(t, w, missing, "pause", "")
	assert.Equal(t, []string{"UriEndpointStateChanged:PAUSE"}, eventTypes(t, evs))
	_, evs = invoke(t, w, missing, "stop", "")
	assert.Equal(t, []string{"UriEndpointStateChanged:STOP"}, eventTypes(t, evs))
}

func TestUnconnectedRecorderStaysStopped(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	rec := create(t, w, "RecorderEndpoint", `{"mediaPipeline":"`+pipe+`","uri":"file:///media/out.webm"}`)
	subscribe(t, w, rec, "Recording")
	subscribe(t, w, rec, "UriEndpointStateChanged")
	r, evs := invoke(t, w, rec, "record", "")
	assert.Contains(t, r, `"value":null}}`)
	assert.Empty(t, evs)
	r, _ = invoke(t, w, rec, "getState", "")
	assert.Equal(t, "STOP", value(t, r))
}

func TestHubs(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	disp := create(t, w, "Dispatcher", `{"mediaPipeline":"`+pipe+`"}`)
	other := create(t, w, "Dispatcher", `{"mediaPipeline":"`+pipe+`"}`)
	p1 := create(t, w, "HubPort", `{"hub":"`+disp+`"}`)
	p2 := create(t, w, "HubPort", `{"hub":"`+disp+`"}`)
	foreign := create(t, w, "HubPort", `{"hub":"`+other+`"}`)
	r, _ := invoke(t, w, disp, "connect", `{"source":"`+p1+`","sink":"`+p2+`"}`)
	assert.Contains(t, r, `"value":null}}`)

	one := create(t, w, "DispatcherOneToMany", `{"mediaPipeline":"`+pipe+`"}`)
	op := create(t, w, "HubPort", `{"hub":"`+one+`"}`)
	r, _ = invoke(t, w, one, "setSource", `{"source":"`+op+`"}`)
	assert.Contains(t, r, `"value":null}}`)
	r, _ = invoke(t, w, one, "removeSource", "")
	assert.Contains(t, r, `"value":null}}`)

	ab := create(t, w, "AlphaBlending", `{"mediaPipeline":"`+pipe+`"}`)
	a1 := create(t, w, "HubPort", `{"hub":"`+ab+`"}`)
	r, _ = invoke(t, w, ab, "setMaster", `{"source":"`+a1+`","zOrder":1}`)
	assert.Contains(t, r, `"value":null}}`)
	r, _ = invoke(t, w, ab, "setPortProperties", `{"relativeX":0.1,"relativeY":0.1,"zOrder":2,"relativeWidth":0.5,"relativeHeight":0.5,"port":"`+a1+`"}`)
	assert.Contains(t, r, `"value":null}}`)

	r, _ = invoke(t, w, disp, "getGstreamerDot", "")
	dot, ok := value(t, r).(string)
	require.True(t, ok, r)
	assert.True(t, strings.HasPrefix(dot, "digraph pipeline {"), dot)
	r, _ = invoke(t, w, pipe, "getGstreamerDot", `{"details":"SHOW_ALL"}`)
	assert.Contains(t, r, `digraph`)

	// Ports of another hub are taken.
	r, _ = invoke(t, w, disp, "connect", `{"source":"`+p1+`","sink":"`+foreign+`"}`)
	assert.Contains(t, r, `"value":null}}`)
	r, _ = invoke(t, w, one, "setSource", `{"source":"`+foreign+`"}`)
	assert.Contains(t, r, `"value":null}}`)
	r, _ = invoke(t, w, ab, "setMaster", `{"source":"`+foreign+`","zOrder":1}`)
	assert.Contains(t, r, `"value":null}}`)

	if tg.fake == nil {
		// Any call of Mixer's connect or disconnect kills a real KMS 7.3
		// (see the package documentation).
		return
	}
	mixer := create(t, w, "Mixer", `{"mediaPipeline":"`+pipe+`"}`)
	m1 := create(t, w, "HubPort", `{"hub":"`+mixer+`"}`)
	m2 := create(t, w, "HubPort", `{"hub":"`+mixer+`"}`)
	r, _ = invoke(t, w, mixer, "connect", `{"media":"AUDIO","source":"`+m1+`","sink":"`+m2+`"}`)
	assert.Contains(t, r, `"value":null}}`)
	r, _ = invoke(t, w, mixer, "connect", `{"media":"DATA","source":"`+m1+`","sink":"`+m2+`"}`)
	assert.Contains(t, r, `{"error":{"code":40005,"data":{"type":"UNSUPPORTED_MEDIA_TYPE"}`)
}

func TestCoOwnershipOnLookup(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w1, s1, pipe := session(t, tg)
	el := create(t, w1, "PassThrough", `{"mediaPipeline":"`+pipe+`"}`)

	// Session 2 invokes on the element only: it co-owns it and its pipeline.
	w2 := tg.dial(t)
	r := w2.callJSON(`{"jsonrpc":"2.0","id":1,"method":"invoke","params":{"object":"` + el + `","operation":"getName"}}`)
	s2 := r["result"].(map[string]any)["sessionId"].(string)
	assert.NotEqual(t, s1, s2)
	subscribe(t, w2, "manager_ServerManager", "ObjectDestroyed")

	assertFrame(t, `{"id":"c1","jsonrpc":"2.0","result":null}`,
		w1.call(`{"jsonrpc":"2.0","id":"c1","method":"closeSession","params":{"sessionId":"`+s1+`"}}`))
	rep, evs := invoke(t, w2, el, "getName", "")
	assert.Contains(t, rep, `"result"`, "s2 still owns the element")
	assert.Empty(t, about(evs, el, pipe))
	// Unref by the last owner releases the element and then the pipeline.
	_, _ = w2.request(`{"jsonrpc":"2.0","id":2,"method":"closeSession","params":{"sessionId":"` + s2 + `"}}`)
	if tg.fake != nil {
		_, ok := tg.fake.Object(el)
		assert.False(t, ok)
		_, ok = tg.fake.Object(pipe)
		assert.False(t, ok)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
