package kurentotest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// This file holds the ICE behaviour of WebRtcEndpoint, following
// real-kms/g_offer_ice.frames.txt: gatherCandidates answers null, then
// IceComponentStateChanged GATHERING for components 1 and 2 of each ICE
// stream, IceCandidateFound for each host candidate of each component on
// every m-line of the stream (all m-lines share stream 1 with BUNDLE), and
// IceGatheringDone. The first remote candidate of a negotiated, gathering
// endpoint brings IceComponentStateChanged CONNECTING. The rest (CONNECTED,
// pair selection, media) needs a peer and is scripted with
// [Server.SimulateMediaFlow]. With [WithMedia] the WebRTC transport of the
// media engine gathers and connects for real, and its events come here.
// Data channel operations are checked here too.

type iceState struct {
	// requested: gatherCandidates was called after negotiation; gathered:
	// the gathering events went out.
	requested, gathered bool
	remote              []string
	connecting          bool
	connected           bool
	// local holds the first local candidate string per stream.
	local map[int]string
	// pairs are the selected IceCandidatePair structs.
	pairs []any
}

func iceOf(o *object) *iceState {
	if o.ice == nil {
		o.ice = &iceState{local: map[int]string{}}
	}
	return o.ice
}

func iceBehaviour() behaviour {
	return behaviour{name: "ICE", defaults: []propertyDefault{
		{class: "WebRtcEndpoint", prop: "stunServerPort", value: json.Number("3478")},
		{class: "WebRtcEndpoint", prop: "stunServerAddress", value: ""},
		{class: "WebRtcEndpoint", prop: "turnUrl", value: ""},
		{class: "WebRtcEndpoint", prop: "networkInterfaces", value: ""},
		{class: "WebRtcEndpoint", prop: "externalIPv4", value: ""},
		{class: "WebRtcEndpoint", prop: "externalIPv6", value: ""},
	}, transports: []transport{{
		class: "WebRtcEndpoint", answer: webrtcAnswer, offer: webrtcOffer, answered: webrtcAnswered,
	}}, ops: opsOf("WebRtcEndpoint", map[string]opFunc{
		"gatherCandidates":  gatherCandidates,
		"createDataChannel": dataChannelOp,
		"closeDataChannel":  dataChannelOp,
		"addIceCandidate":   addIceCandidate,
		"getICECandidatePairs": func(x *invocation) (any, *rpcError) {
			return append([]any{}, iceOf(x.obj).pairs...), nil
		},
	})}
}

// dataChannelOp refuses data channel operations on an endpoint made
// without useDataChannels, as KMS does; with them it accepts (no channel
// opens without a peer).
func dataChannelOp(x *invocation) (any, *rpcError) {
	if !boolProp(x.obj, "useDataChannels") {
		return nil, kmsError(kms.CodeOperationNotSupported, kms.MsgDataChannelsDisabled)
	}
	return nil, nil
}

func gatherCandidates(x *invocation) (any, *rpcError) {
	ice := iceOf(x.obj)
	// A real KMS gathers only once the endpoint has a local description:
	// a call before negotiation is answered and forgotten (a later call
	// gathers), and a second call does nothing.
	if ice.requested || sdpOf(x.obj).local == "" {
		return nil, nil
	}
	ice.requested = true
	x.st.scheduleGathering(x)
	return nil, nil
}

// iceStream is one ICE stream: the indexes of the m-lines it carries.
type iceStream struct {
	id     int
	mlines []int
}

func (s *sdpState) streams() []iceStream {
	var out []iceStream
	for i, m := range s.media {
		if m.rejected {
			continue
		}
		if s.bundle && len(out) > 0 {
			out[0].mlines = append(out[0].mlines, i)
			continue
		}
		out = append(out, iceStream{id: len(out) + 1, mlines: []int{i}})
	}
	return out
}

// scheduleGathering queues the gathering events after the reply.
func (st *state) scheduleGathering(x *invocation) {
	ice := iceOf(x.obj)
	ice.gathered = true
	id := x.obj.id
	x.cx.after = append(x.cx.after, func() {
		o, ok := st.objects[id]
		if !ok || st.mediaGather(o) {
			return
		}
		st.emitGathering(o)
	})
}

func (st *state) emitGathering(o *object) {
	s, ice := sdpOf(o), iceOf(o)
	if len(s.media) == 0 {
		// An endpoint negotiated without media: KMS answers
		// gatherCandidates and sends no event.
		return
	}
	streams := s.streams()
	for _, str := range streams {
		for comp := 1; comp <= 2; comp++ {
			st.emit(o.id, "IceComponentStateChanged", map[string]any{
				"streamId": str.id, "componentId": comp, "state": "GATHERING",
			})
		}
	}
	for _, str := range streams {
		for comp := 1; comp <= 2; comp++ {
			for _, cand := range hostCandidates(comp) {
				if comp == 1 && ice.local[str.id] == "" {
					ice.local[str.id] = cand
				}
				for _, ml := range str.mlines {
					st.emit(o.id, "IceCandidateFound", map[string]any{
						"candidate": iceCandidate(cand, s.media[ml].mid, ml),
					})
				}
			}
		}
	}
	st.emit(o.id, "IceGatheringDone", nil)
}

func iceCandidate(cand, mid string, index int) map[string]any {
	return map[string]any{
		"__module__":    "kurento",
		"__type__":      "IceCandidate",
		"candidate":     cand,
		"sdpMLineIndex": index,
		"sdpMid":        mid,
	}
}

// hostCandidates are the loopback host candidates of one component: UDP,
// TCP active and TCP passive, with KMS's priorities.
func hostCandidates(comp int) []string {
	c := strconv.Itoa(comp)
	port := func() int { return 10000 + rand.IntN(50000) } //nolint:gosec // G404: ports need no secure randomness
	return []string{
		fmt.Sprintf("candidate:1 %s UDP %d 127.0.0.1 %d typ host", c, 2015363328-comp, port()),
		fmt.Sprintf("candidate:2 %s TCP %d 127.0.0.1 9 typ host tcptype active", c, 1015021824-comp),
		fmt.Sprintf("candidate:3 %s TCP %d 127.0.0.1 %d typ host tcptype passive", c, 1010827520-comp, port()),
	}
}

// addIceCandidate stores the candidate. KMS accepts any candidate string
// (real-kms: "garbage" is answered with null), and ignores an empty one.
func addIceCandidate(x *invocation) (any, *rpcError) {
	c, _ := x.params["candidate"].(map[string]any)
	cand, _ := c["candidate"].(string)
	if !wellFormedCandidate(cand) {
		// Accepted and dropped, as libnice drops what it cannot parse.
		return nil, nil
	}
	ice := iceOf(x.obj)
	ice.remote = append(ice.remote, cand)
	if x.st.mediaCandidate(x.obj, c) {
		return nil, nil
	}
	if ice.gathered && sdpOf(x.obj).negotiated() && !ice.connecting {
		ice.connecting = true
		st, id := x.st, x.obj.id
		x.cx.after = append(x.cx.after, func() {
			st.emit(id, "IceComponentStateChanged", map[string]any{
				"streamId": 1, "componentId": 1, "state": "CONNECTING",
			})
		})
	}
	return nil, nil
}

// connectICE emits what a real KMS sends when ICE and DTLS succeed.
func (st *state) connectICE(o *object) {
	ice := iceOf(o)
	if ice.connected {
		return
	}
	ice.connected = true
	streams := sdpOf(o).streams()
	if !ice.gathered {
		ice.gathered = true
		st.emitGathering(o)
	}
	remote := "candidate:1 1 UDP 2122260223 127.0.0.1 50000 typ host"
	if len(ice.remote) > 0 {
		remote = ice.remote[0]
	}
	for _, str := range streams {
		sid := strconv.Itoa(str.id)
		if !ice.connecting {
			st.emit(o.id, "IceComponentStateChanged", map[string]any{"streamId": str.id, "componentId": 1, "state": "CONNECTING"})
		}
		st.emit(o.id, "IceComponentStateChanged", map[string]any{"streamId": str.id, "componentId": 1, "state": "CONNECTED"})
		pair := map[string]any{
			"__module__":      "kurento",
			"__type__":        "IceCandidatePair",
			"componentId":     1,
			"localCandidate":  ice.local[str.id],
			"remoteCandidate": remote,
			"streamId":        sid,
		}
		ice.pairs = append(ice.pairs, pair)
		st.emit(o.id, "NewCandidatePairSelected", map[string]any{"candidatePair": pair})
		st.emit(o.id, "IceComponentStateChanged", map[string]any{"streamId": str.id, "componentId": 1, "state": "READY"})
		for _, state := range []string{"CONNECTING", "CONNECTED"} {
			st.emit(o.id, "DtlsConnectionStateChange", map[string]any{
				"streamId": sid, "componentId": "1", "connectionId": "1", "state": state,
			})
		}
	}
	ice.connecting = true
}

// wellFormedCandidate checks the shape "candidate:<foundation> <component>
// <transport> <priority> <address> <port> typ <type> ...".
func wellFormedCandidate(c string) bool {
	f := strings.Fields(strings.TrimPrefix(c, "a="))
	if len(f) < 8 || !strings.HasPrefix(f[0], "candidate:") || f[6] != "typ" {
		return false
	}
	for _, i := range []int{1, 3, 5} {
		if _, err := strconv.ParseUint(f[i], 10, 32); err != nil {
			return false
		}
	}
	return true
}

// ---- with real media ([WithMedia]) ----

// webrtcAnswer gives a WebRtcEndpoint that answered an offer its WebRTC
// transport; the answer comes back with the SSRCs the transport sends
// with.
func webrtcAnswer(st *state, o *object, offer, answer string) string {
	s, c := sdpOf(o), st.certificate()
	a, err := st.s.media.AddWebRTC(o.id, media.WebRTCConfig{
		Offer: offer, Answer: answer, Ufrag: s.ufrag, Pwd: s.pwd, Key: c.key, Certificate: c.cert,
	})
	if err != nil {
		st.s.log.Warn("kurentotest: no media for this endpoint", "object", o.id, "err", err)
		return answer
	}
	return a
}

// webrtcOffer gives a WebRtcEndpoint that generated an offer its WebRTC
// transport; the offer comes back with the SSRCs its senders use.
func webrtcOffer(st *state, o *object, offer string) string {
	s, c := sdpOf(o), st.certificate()
	out, err := st.s.media.AddWebRTCOffer(o.id, media.WebRTCConfig{
		Offer: offer, Ufrag: s.ufrag, Pwd: s.pwd, Key: c.key, Certificate: c.cert,
	})
	if err != nil {
		st.s.log.Warn("kurentotest: no media for this endpoint", "object", o.id, "err", err)
		return offer
	}
	return out
}

// webrtcAnswered completes the transport of a WebRtcEndpoint whose offer
// was answered.
func webrtcAnswered(st *state, o *object, _, answer string) {
	if err := st.s.media.WebRTCAnswer(o.id, answer); err != nil {
		st.s.log.Warn("kurentotest: no media for this endpoint", "object", o.id, "err", err)
	}
}

// mediaGather starts reporting real candidates; false when the endpoint
// has no transport (the made-up candidates are used then).
func (st *state) mediaGather(o *object) bool {
	eng := st.s.media
	if eng == nil || !slices.Contains(eng.Nodes(), o.id) || !st.s.cat.isA(o.typ, "WebRtcEndpoint") {
		return false
	}
	for comp := 1; comp <= 2; comp++ {
		st.emit(o.id, "IceComponentStateChanged", map[string]any{
			"streamId": 1, "componentId": comp, "state": "GATHERING",
		})
	}
	eng.Gather(o.id)
	return true
}

// mediaCandidate hands a remote candidate to the transport; false when
// the endpoint has none.
func (st *state) mediaCandidate(o *object, c map[string]any) bool {
	eng := st.s.media
	if eng == nil || !st.s.cat.isA(o.typ, "WebRtcEndpoint") || !slices.Contains(eng.Nodes(), o.id) {
		return false
	}
	cand, _ := c["candidate"].(string)
	mid, _ := c["sdpMid"].(string)
	idx, _ := c["sdpMLineIndex"].(float64)
	eng.AddRemoteCandidate(o.id, cand, mid, int(idx))
	return true
}

// transportEvent turns an event of a WebRtcEndpoint's transport (ICE,
// DTLS) into the Kurento events and state a real KMS shows.
func (st *state) transportEvent(o *object, ev media.Event) {
	switch ev.Type {
	case media.EventCandidate:
		ice := iceOf(o)
		if ice.local[1] == "" {
			ice.local[1] = ev.Candidate
		}
		st.emit(o.id, "IceCandidateFound", map[string]any{"candidate": iceCandidate(ev.Candidate, ev.Mid, ev.MLineIndex)})
	case media.EventGatheringDone:
		st.emit(o.id, "IceGatheringDone", nil)
	case media.EventICEState:
		ice := iceOf(o)
		st.emit(o.id, "IceComponentStateChanged", map[string]any{"streamId": 1, "componentId": 1, "state": ev.State})
		switch ev.State {
		case "CONNECTING":
			// KMS 7.3.1 starts checks on both components (RTCP's too,
			// rtcp-mux or not); only component 1 goes further.
			st.emit(o.id, "IceComponentStateChanged", map[string]any{"streamId": 1, "componentId": 2, "state": ev.State})
			ice.connecting = true
		case "CONNECTED":
			ice.connected = true
		case "FAILED":
			st.setMediaState(o, "DISCONNECTED")
		}
	case media.EventPairSelected:
		pair := map[string]any{
			"__module__":      "kurento",
			"__type__":        "IceCandidatePair",
			"componentId":     1,
			"localCandidate":  ev.Local,
			"remoteCandidate": ev.Remote,
			"streamId":        "1",
		}
		ice := iceOf(o)
		ice.pairs = append(ice.pairs, pair)
		st.emit(o.id, "NewCandidatePairSelected", map[string]any{"candidatePair": pair})
	case media.EventDTLSState:
		st.emit(o.id, "DtlsConnectionStateChange", map[string]any{
			"streamId": "1", "componentId": "1", "connectionId": "1", "state": ev.State,
		})
		switch ev.State {
		case "CONNECTED":
			st.setMediaState(o, "CONNECTED")
		case "FAILED", "CLOSED":
			st.setMediaState(o, "DISCONNECTED")
		}
	default: // the other events are not the transport's
	}
}
