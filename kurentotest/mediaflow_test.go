package kurentotest_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
)

// These behaviour tests hold on the fake and on a real KMS 7.3.1 alike:
// the direction of media flow events and getters, and when
// MediaSessionStarted comes.

// eventOf is what an event frame says.
type eventOf struct {
	Type, Object, State, MediaType string
	Candidate                      struct {
		Candidate     string `json:"candidate"`
		SdpMid        string `json:"sdpMid"`
		SdpMLineIndex int    `json:"sdpMLineIndex"`
	}
}

func parseEvent(t *testing.T, frame string) eventOf {
	t.Helper()
	var m struct {
		Params struct {
			Value struct {
				Type   string `json:"type"`
				Object string `json:"object"`
				Data   struct {
					State     string          `json:"state"`
					MediaType string          `json:"mediaType"`
					Candidate json.RawMessage `json:"candidate"`
				} `json:"data"`
			} `json:"value"`
		} `json:"params"`
	}
	require.NoError(t, json.Unmarshal([]byte(frame), &m), frame)
	v := m.Params.Value
	e := eventOf{Type: v.Type, Object: v.Object, State: v.Data.State, MediaType: v.Data.MediaType}
	if len(v.Data.Candidate) > 0 {
		require.NoError(t, json.Unmarshal(v.Data.Candidate, &e.Candidate), frame)
	}
	return e
}

// flowEvents lists "type:state:mediaType" of the media flow events of obj.
func flowEvents(t *testing.T, frames []string, obj string) []string {
	t.Helper()
	var out []string
	for _, f := range frames {
		e := parseEvent(t, f)
		if e.Object == obj && strings.HasPrefix(e.Type, "MediaFlow") {
			out = append(out, e.Type+":"+e.State+":"+e.MediaType)
		}
	}
	return out
}

func hasAll(got []string, want ...string) bool {
	for _, w := range want {
		if !strings.Contains(strings.Join(got, " "), w) {
			return false
		}
	}
	return true
}

// negotiatePeer connects a pion peer to WebRtcEndpoint ep over the raw
// socket: the peer offers with all its candidates, ep answers, its
// candidates gathered with gatherCandidates go to the peer and the
// peer's to ep. It returns the events read.
func negotiatePeer(t *testing.T, w *wsConn, ep string, p *mediaPeer) []string {
	t.Helper()
	gathered := webrtc.GatheringCompletePromise(p.pc)
	offer, err := p.pc.CreateOffer(nil)
	require.NoError(t, err)
	require.NoError(t, p.pc.SetLocalDescription(offer))
	select {
	case <-gathered:
	case <-t.Context().Done():
		t.Fatal("the peer did not gather")
	}
	local := p.pc.LocalDescription().SDP
	r, events := invoke(t, w, ep, "processOffer", `{"offer":`+jsonString(t, local)+`}`)
	answer, ok := value(t, r).(string)
	require.True(t, ok, r)
	require.NoError(t, p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: dropSessionFingerprint(answer)}))
	for l := range strings.SplitSeq(local, "\r\n") {
		if c, ok := strings.CutPrefix(l, "a="); ok && strings.HasPrefix(c, "candidate:") {
			r, evs := invoke(t, w, ep, "addIceCandidate", `{"candidate":{"__module__":"kurento","__type__":"IceCandidate","candidate":`+jsonString(t, c)+`,"sdpMid":"0","sdpMLineIndex":0}}`)
			require.Contains(t, r, `"result"`)
			events = append(events, evs...)
		}
	}
	_, evs := w.until(invokeFrame(ep, "gatherCandidates", ""), func(_ string, evs []string) bool {
		for _, f := range evs {
			if e := parseEvent(t, f); e.Object == ep && e.Type == "IceGatheringDone" {
				return true
			}
		}
		return false
	})
	events = append(events, evs...)
	for _, f := range evs {
		if e := parseEvent(t, f); e.Object == ep && e.Type == "IceCandidateFound" {
			mid, idx := e.Candidate.SdpMid, uint16(e.Candidate.SdpMLineIndex) //nolint:gosec // an m-line index
			require.NoError(t, p.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: e.Candidate.Candidate, SDPMid: &mid, SDPMLineIndex: &idx}))
		}
	}
	return events
}

// waitEvents reads events until the flow events of obj hold every one of
// want; it returns every event read.
func waitEvents(t *testing.T, w *wsConn, obj string, seen []string, want ...string) []string {
	t.Helper()
	// Events that came with earlier replies count: a real KMS may send a
	// flow event before it answers the call that started the flow.
	if hasAll(flowEvents(t, seen, obj), want...) {
		return nil
	}
	_, evs := w.until(`{"jsonrpc":"2.0","id":"`+nid()+`","method":"ping"}`, func(_ string, evs []string) bool {
		return hasAll(flowEvents(t, append(slices.Clip(seen), evs...), obj), want...)
	})
	return evs
}

// TestMediaFlowDirectionOfPeerFedWebRtcEndpoint: on KMS, MediaFlowIn is
// media entering an element from the pipeline, MediaFlowOut media leaving
// it into the pipeline. A WebRtcEndpoint whose browser sends reports its
// flow out (with nothing connected to it) and no flow in; a PassThrough
// fed by it both, even with nothing after it; a WebRtcEndpoint fed by it
// its flow in.
func TestMediaFlowDirectionOfPeerFedWebRtcEndpoint(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, kurentotest.WithMedia())
	w, _, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	viewer := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	pt := create(t, w, "PassThrough", `{"mediaPipeline":"`+pipe+`"}`)
	for _, id := range []string{ep, viewer, pt} {
		for _, ev := range []string{"MediaFlowInStateChanged", "MediaFlowOutStateChanged", "IceCandidateFound", "IceGatheringDone"} {
			if id != pt || strings.HasPrefix(ev, "MediaFlow") {
				subscribe(t, w, id, ev)
			}
		}
	}

	sender := newMediaPeer(t, true)
	events := negotiatePeer(t, w, ep, sender)
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	sender.sendUntil(ctx)
	events = append(events, waitEvents(t, w, ep, events,
		"MediaFlowOutStateChanged:FLOWING:AUDIO", "MediaFlowOutStateChanged:FLOWING:VIDEO")...)
	assert.NotContains(t, strings.Join(flowEvents(t, events, ep), " "), "MediaFlowIn", "nothing enters the sender's endpoint from the pipeline")
	for _, mt := range []string{"AUDIO", "VIDEO"} {
		r, _ := invoke(t, w, ep, "isMediaFlowingOut", `{"mediaType":"`+mt+`"}`)
		assert.Equal(t, true, value(t, r), "isMediaFlowingOut %s of the sender's endpoint", mt)
		r, _ = invoke(t, w, ep, "isMediaFlowingIn", `{"mediaType":"`+mt+`"}`)
		assert.Equal(t, false, value(t, r), "isMediaFlowingIn %s of the sender's endpoint", mt)
	}

	// A PassThrough fed by ep, with nothing after it: media enters it and
	// leaves it.
	r, evs := invoke(t, w, ep, "connect", `{"sink":"`+pt+`"}`)
	require.Contains(t, r, `"result"`)
	waitEvents(t, w, pt, evs, "MediaFlowInStateChanged:FLOWING:AUDIO", "MediaFlowInStateChanged:FLOWING:VIDEO",
		"MediaFlowOutStateChanged:FLOWING:AUDIO", "MediaFlowOutStateChanged:FLOWING:VIDEO")

	// A viewer fed by ep: what enters it from the pipeline goes to its
	// browser, which sends nothing.
	receiver := newMediaPeer(t, false)
	events = negotiatePeer(t, w, viewer, receiver)
	r, evs = invoke(t, w, ep, "connect", `{"sink":"`+viewer+`"}`)
	require.Contains(t, r, `"result"`)
	events = append(events, evs...)
	events = append(events, waitEvents(t, w, viewer, events,
		"MediaFlowInStateChanged:FLOWING:AUDIO", "MediaFlowInStateChanged:FLOWING:VIDEO")...)
	assert.NotContains(t, strings.Join(flowEvents(t, events, viewer), " "), "MediaFlowOut", "the viewer's browser sends nothing")
	assert.NotContains(t, strings.Join(flowEvents(t, events, ep), " "), "MediaFlowIn", "nothing enters the sender's endpoint from the pipeline")
	for _, mt := range []string{"AUDIO", "VIDEO"} {
		r, _ := invoke(t, w, viewer, "isMediaFlowingIn", `{"mediaType":"`+mt+`"}`)
		assert.Equal(t, true, value(t, r), "isMediaFlowingIn %s of the viewer", mt)
		r, _ = invoke(t, w, viewer, "isMediaFlowingOut", `{"mediaType":"`+mt+`"}`)
		assert.Equal(t, false, value(t, r), "isMediaFlowingOut %s of the viewer", mt)
	}
}

// TestMediaSessionStartedOnNegotiation: MediaSessionStarted comes when
// processOffer or processAnswer succeeds, before any ICE (no candidates
// are gathered here), on WebRtcEndpoints and RtpEndpoints; generateOffer
// alone does not start the session.
func TestMediaSessionStartedOnNegotiation(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	started := func(id string) func(string, []string) bool {
		return func(_ string, evs []string) bool {
			for _, f := range evs {
				if e := parseEvent(t, f); e.Object == id && e.Type == "MediaSessionStarted" {
					return true
				}
			}
			return false
		}
	}

	// An answering WebRtcEndpoint.
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	subscribe(t, w, ep, "MediaSessionStarted")
	r, _ := w.until(invokeFrame(ep, "processOffer", `{"offer":`+jsonString(t, readSDP(t, "g_offer.sdp"))+`}`), started(ep))
	assert.Contains(t, r, `"result"`)

	// An offering WebRtcEndpoint: nothing at generateOffer, the session
	// starts with processAnswer.
	off := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	subscribe(t, w, off, "MediaSessionStarted")
	r, evs := invoke(t, w, off, "generateOffer", "")
	offer, ok := value(t, r).(string)
	require.True(t, ok, r)
	pc := newPeer(t, false)
	require.NoError(t, pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}))
	answer, err := pc.CreateAnswer(nil)
	require.NoError(t, err)
	_, more := w.request(`{"jsonrpc":"2.0","id":"` + nid() + `","method":"ping"}`)
	assert.False(t, started(off)("", append(evs, more...)), "no MediaSessionStarted at generateOffer")
	r, _ = w.until(invokeFrame(off, "processAnswer", `{"answer":`+jsonString(t, answer.SDP)+`}`), started(off))
	assert.Contains(t, r, `"result"`)

	// Two RtpEndpoints negotiating with each other.
	a := create(t, w, "RtpEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	b := create(t, w, "RtpEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	subscribe(t, w, a, "MediaSessionStarted")
	subscribe(t, w, b, "MediaSessionStarted")
	r, _ = invoke(t, w, a, "generateOffer", "")
	offer, ok = value(t, r).(string)
	require.True(t, ok, r)
	r, _ = w.until(invokeFrame(b, "processOffer", `{"offer":`+jsonString(t, offer)+`}`), started(b))
	rtpAnswer, ok := value(t, r).(string)
	require.True(t, ok, r)
	r, _ = w.until(invokeFrame(a, "processAnswer", `{"answer":`+jsonString(t, rtpAnswer)+`}`), started(a))
	assert.Contains(t, r, `"result"`)
}

// TestNoICEStateBeforeGatherCandidates: a WebRtcEndpoint given an offer
// with candidates, and its peer's candidates, reports no ICE state until
// gatherCandidates; then GATHERING comes first and CONNECTING after it,
// for components 1 and 2.
func TestNoICEStateBeforeGatherCandidates(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, kurentotest.WithMedia())
	w, _, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	subscribe(t, w, ep, "IceComponentStateChanged")
	subscribe(t, w, ep, "IceGatheringDone")
	p := newMediaPeer(t, true)
	gathered := webrtc.GatheringCompletePromise(p.pc)
	offer, err := p.pc.CreateOffer(nil)
	require.NoError(t, err)
	require.NoError(t, p.pc.SetLocalDescription(offer))
	select {
	case <-gathered:
	case <-t.Context().Done():
		t.Fatal("the peer did not gather")
	}
	local := p.pc.LocalDescription().SDP
	require.Contains(t, local, "a=candidate:")
	r, events := invoke(t, w, ep, "processOffer", `{"offer":`+jsonString(t, local)+`}`)
	require.Contains(t, r, `"result"`)
	for l := range strings.SplitSeq(local, "\r\n") {
		if c, ok := strings.CutPrefix(l, "a="); ok && strings.HasPrefix(c, "candidate:") {
			r, evs := invoke(t, w, ep, "addIceCandidate", `{"candidate":{"__module__":"kurento","__type__":"IceCandidate","candidate":`+jsonString(t, c)+`,"sdpMid":"0","sdpMLineIndex":0}}`)
			require.Contains(t, r, `"result"`)
			events = append(events, evs...)
		}
	}
	// Give a server that would start ICE on its own the time to say so.
	time.Sleep(500 * time.Millisecond)
	_, evs := w.request(`{"jsonrpc":"2.0","id":"` + nid() + `","method":"ping"}`)
	assert.Empty(t, append(events, evs...), "ICE events before gatherCandidates")

	var states []string
	_, evs = w.until(invokeFrame(ep, "gatherCandidates", ""), func(_ string, evs []string) bool {
		states = states[:0]
		for _, f := range evs {
			if e := parseEvent(t, f); e.Type == "IceComponentStateChanged" {
				var c struct {
					Params struct {
						Value struct {
							Data struct {
								ComponentID int `json:"componentId"`
							} `json:"data"`
						} `json:"value"`
					} `json:"params"`
				}
				require.NoError(t, json.Unmarshal([]byte(f), &c))
				states = append(states, e.State+":"+strconv.Itoa(c.Params.Value.Data.ComponentID))
			}
		}
		return slices.Contains(states, "CONNECTING:1") && slices.Contains(states, "CONNECTING:2")
	})
	require.NotEmpty(t, states, "%v", evs)
	assert.True(t, strings.HasPrefix(states[0], "GATHERING:"), "%v", states)
}
