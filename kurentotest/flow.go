package kurentotest

import (
	"errors"
	"fmt"
	"slices"

	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// This file models media flow without media. The directions are those of
// KMS, seen from the pipeline: MediaFlowIn is media entering an element
// from its links (its sink pads), MediaFlowOut media leaving it into the
// pipeline (its source pads). A source of flow is a WebRtcEndpoint or
// RtpEndpoint whose peer sends (after [Server.SimulateMediaFlow]: its
// MediaFlowOutStateChanged FLOWING comes at once, linked or not) or a
// playing PlayerEndpoint. Flow follows the AUDIO and VIDEO links: an
// element carrying a media type sends it out (MediaFlowOutStateChanged
// FLOWING on it, links or not) and the sinks of its links receive it
// (MediaFlowInStateChanged FLOWING). Filters, pass-throughs and hub ports
// pass it on in turn; endpoints do not (what enters a WebRtcEndpoint goes
// to its peer, what enters a recorder to its file). Flow never stops in
// the fake once started.

type flowDir int

const (
	flowIn  flowDir = iota // media enters the element from a link
	flowOut                // media leaves the element into the pipeline
	flowSrc                // the element produces media (a peer that sends, a player playing)
)

type flowKey struct {
	id        string
	mediaType string
	dir       flowDir
}

// flowTypes are the media types that flow.
func flowTypes() []string { return []string{"AUDIO", "VIDEO"} }

func flowBehaviour() behaviour {
	return behaviour{name: "media flow", ops: opsOf("MediaElement", map[string]opFunc{
		"isMediaFlowingIn":  flowCheck(flowIn),
		"isMediaFlowingOut": flowCheck(flowOut),
	})}
}

// carrying reports whether element id has media of type mt to send on
// its links: media it produces or, unless it is an endpoint, media it
// receives.
func (st *state) carrying(id, mt string) bool {
	if st.flows[flowKey{id, mt, flowSrc}] {
		return true
	}
	o, ok := st.objects[id]
	return ok && st.flows[flowKey{id, mt, flowIn}] && !st.s.cat.isA(o.typ, "Endpoint")
}

// propagate spreads flow from the given elements along their links, one
// hop at a time: first the outgoing side of an element, then the arrivals.
func (st *state) propagate(ids ...string) {
	if st.s.media != nil {
		return // packets drive the flow (media.go)
	}
	queue := slices.Clone(ids)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		type arrival struct{ sink, mt string }
		var arrivals []arrival
		for _, mt := range flowTypes() {
			if !st.carrying(id, mt) {
				continue
			}
			// What an element carries leaves it, links or not (a
			// PassThrough with no sink reports its flow out on KMS).
			if k := (flowKey{id, mt, flowOut}); !st.flows[k] {
				st.flows[k] = true
				st.emitFlow(id, "MediaFlowOutStateChanged", mt)
			}
			for _, l := range st.links {
				if l.source != id || l.mediaType != mt {
					continue
				}
				if !st.flows[flowKey{l.sink, mt, flowIn}] && !slices.Contains(arrivals, arrival{l.sink, mt}) {
					arrivals = append(arrivals, arrival{l.sink, mt})
				}
			}
		}
		var sinks []string
		for _, a := range arrivals {
			st.flows[flowKey{a.sink, a.mt, flowIn}] = true
			st.emitFlow(a.sink, "MediaFlowInStateChanged", a.mt)
			if !slices.Contains(sinks, a.sink) {
				sinks = append(sinks, a.sink)
			}
		}
		for _, s := range sinks {
			if o, ok := st.objects[s]; ok {
				st.mediaArrived(o)
			}
		}
		queue = append(queue, sinks...)
	}
}

func (st *state) emitFlow(id, event, mt string) {
	st.emit(id, event, map[string]any{"state": "FLOWING", "padName": "default", "mediaType": mt})
}

// mediaArrived lets an element react to incoming media, through the
// media arrival hooks of the behaviours.
func (st *state) mediaArrived(o *object) {
	st.s.behaviours.arrived(st, o)
}

func flowCheck(dir flowDir) opFunc {
	return func(x *invocation) (any, *rpcError) {
		mt, _ := x.params["mediaType"].(string)
		if mt == "DATA" {
			what := "MediaFlowingIn"
			if dir == flowOut {
				what = "MediaFlowingOut"
			}
			return nil, kmsError(kms.CodeIllegalParam, kms.MsgDataNotSupported(what))
		}
		return x.st.flows[flowKey{x.obj.id, mt, dir}], nil
	}
}

// ErrNotNegotiated is returned by [Server.SimulateMediaFlow] for an RTP
// endpoint whose SDP negotiation is not complete.
var ErrNotNegotiated = errors.New("kurentotest: endpoint not negotiated")

// SimulateMediaFlow makes the remote peer of a WebRtcEndpoint or
// RtpEndpoint connect and send audio and video, as if a browser had
// completed ICE and DTLS. The endpoint must be negotiated (processOffer,
// or generateOffer and processAnswer), else [ErrNotNegotiated]. For a
// WebRtcEndpoint the events are: the gathering events if gatherCandidates
// was never called, then per ICE stream IceComponentStateChanged
// CONNECTING (unless a remote candidate already caused it), CONNECTED,
// NewCandidatePairSelected, READY, and DtlsConnectionStateChange
// CONNECTING and CONNECTED; then, for both kinds of RTP endpoint,
// ConnectionStateChanged and MediaStateChanged DISCONNECTED → CONNECTED
// (getConnectionState, getMediaState follow), MediaFlowOutStateChanged
// FLOWING for each negotiated type of AUDIO and VIDEO, whether the
// endpoint has links or not (isMediaFlowingOut answers true: as on KMS,
// what the peer sends leaves the endpoint into the pipeline), and flow
// along the endpoint's links, MediaFlowInStateChanged on their sinks (see
// [Server] docs on media flow). A second call does nothing.
func (s *Server) SimulateMediaFlow(objectID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	o, ok := st.objects[objectID]
	if !ok {
		return fmt.Errorf("kurentotest: object %q not found", objectID)
	}
	if !s.cat.isA(o.typ, "BaseRtpEndpoint") {
		return fmt.Errorf("kurentotest: %s is not an RTP endpoint", o.typ)
	}
	sd := sdpOf(o)
	if !sd.negotiated() {
		return ErrNotNegotiated
	}
	if o.props["mediaState"] == "CONNECTED" {
		return nil
	}
	if s.cat.isA(o.typ, "WebRtcEndpoint") {
		st.connectICE(o)
	}
	o.props["connectionState"] = "CONNECTED"
	st.emit(o.id, "ConnectionStateChanged", map[string]any{"oldState": "DISCONNECTED", "newState": "CONNECTED"})
	o.props["mediaState"] = "CONNECTED"
	st.emit(o.id, "MediaStateChanged", map[string]any{"oldState": "DISCONNECTED", "newState": "CONNECTED"})
	for _, mt := range flowTypes() {
		if !sd.hasKind(mt) {
			continue
		}
		st.flows[flowKey{o.id, mt, flowSrc}] = true
		st.flows[flowKey{o.id, mt, flowOut}] = true
		st.emitFlow(o.id, "MediaFlowOutStateChanged", mt)
	}
	st.propagate(o.id)
	return nil
}

// hasKind reports whether the session negotiated an m-line for media type
// AUDIO or VIDEO.
func (s *sdpState) hasKind(mt string) bool {
	kind := map[string]string{"AUDIO": "audio", "VIDEO": "video"}[mt]
	for _, m := range s.media {
		if m.kind == kind && !m.rejected {
			return true
		}
	}
	return false
}

// ---- with real media ([WithMedia]) ----

// setMediaState moves connectionState and mediaState, with their events;
// a session that started media ends with MediaSessionTerminated.
func (st *state) setMediaState(o *object, state string) {
	old, _ := o.props["mediaState"].(string)
	if old == "" {
		old = "DISCONNECTED"
	}
	if old == state {
		return
	}
	o.props["connectionState"] = state
	st.emit(o.id, "ConnectionStateChanged", map[string]any{"oldState": old, "newState": state})
	o.props["mediaState"] = state
	st.emit(o.id, "MediaStateChanged", map[string]any{"oldState": old, "newState": state})
	if state == "DISCONNECTED" && o.session != nil && o.session.started {
		o.session.started = false
		st.emit(o.id, "MediaSessionTerminated", nil)
	}
}

// mediaSession is the media session of an SdpEndpoint: started when its
// negotiation completes, terminated (with real media) when the transport
// goes.
type mediaSession struct {
	started bool
}

// sessionStarted emits MediaSessionStarted when a negotiation completes
// (processOffer or processAnswer succeeded): a KMS 7.3.1 sends it then,
// before ICE connects, on WebRtcEndpoints and RtpEndpoints alike.
func (st *state) sessionStarted(o *object) {
	if o.session != nil && o.session.started {
		return
	}
	o.session = &mediaSession{started: true}
	st.emit(o.id, "MediaSessionStarted", nil)
}

func (st *state) mediaFlow(o *object, ev media.Event) {
	dir, name := flowIn, "MediaFlowInStateChanged"
	if ev.Type == media.EventFlowOut {
		dir, name = flowOut, "MediaFlowOutStateChanged"
	}
	mt := ev.Kind.String()
	k := flowKey{o.id, mt, dir}
	if st.flows[k] == ev.Flowing {
		return
	}
	state := "NOT_FLOWING"
	if ev.Flowing {
		st.flows[k] = true
		state = "FLOWING"
	} else {
		delete(st.flows, k)
	}
	st.emit(o.id, name, map[string]any{"state": state, "padName": "default", "mediaType": mt})
	if dir == flowIn && ev.Flowing {
		st.mediaArrived(o)
	}
}
