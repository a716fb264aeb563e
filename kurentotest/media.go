package kurentotest

import (
	"slices"

	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// This file joins the fake to its media engine (package internal/media)
// when [WithMedia] is given: WebRtcEndpoints and RtpEndpoints get a real
// transport, the
// pipeline's connections become routes, and what the engine sees (ICE,
// DTLS, packets arriving or stopping, a player's end of file) becomes
// Kurento events. Without WithMedia none of this runs.

// WithMedia makes the server carry real media: each negotiated
// WebRtcEndpoint terminates WebRTC (ICE on UDP host candidates of the
// loopback and the machine's interfaces, DTLS with the certificate whose
// fingerprint the SDP advertises, SRTP, rtcp-mux, BUNDLE), each
// negotiated RtpEndpoint sends and receives RTP (SRTP with SDES keys) on
// loopback UDP sockets its SDP names, media is
// forwarded along the pipeline's connections, players read files and
// recorders write them, and the media events follow the packets. See the
// package documentation for what it does not do. Off by default: without
// it the server opens no UDP socket.
func WithMedia() Option {
	return func(o *options) { o.media = true }
}

func (s *Server) startMedia() {
	if !s.opts.media {
		return
	}
	eng := media.New(media.Config{OnEvent: s.mediaEvent, Logger: s.log})
	// Sockets may already be served: s.media is read under s.mu.
	s.mu.Lock()
	s.media = eng
	s.mu.Unlock()
}

// mediaAnswer gives a WebRtcEndpoint that answered an offer its transport;
// the answer comes back with the SSRCs the transport sends with.
func (st *state) mediaAnswer(o *object, offer, answer string) string {
	eng := st.s.media
	if eng != nil && st.s.cat.isA(o.typ, "RtpEndpoint") {
		answer = st.mediaRTPSockets(o, answer)
		st.mediaRTPRemote(o, answer, offer)
		return answer
	}
	if eng == nil || !st.s.cat.isA(o.typ, "WebRtcEndpoint") {
		return answer
	}
	s, c := sdpOf(o), st.certificate()
	a, err := eng.AddWebRTC(o.id, media.WebRTCConfig{
		Offer: offer, Answer: answer, Ufrag: s.ufrag, Pwd: s.pwd, Key: c.key, Certificate: c.cert,
	})
	if err != nil {
		st.s.log.Warn("kurentotest: no media for this endpoint", "object", o.id, "err", err)
		return answer
	}
	return a
}

// mediaOffer gives an endpoint that generated an offer its transport: an
// RtpEndpoint's offer comes back with its sockets' address and ports, a
// WebRtcEndpoint's with the SSRCs its senders use.
func (st *state) mediaOffer(o *object, offer string) string {
	eng := st.s.media
	switch {
	case eng == nil:
		return offer
	case st.s.cat.isA(o.typ, "RtpEndpoint"):
		return st.mediaRTPSockets(o, offer)
	case st.s.cat.isA(o.typ, "WebRtcEndpoint"):
		s, c := sdpOf(o), st.certificate()
		out, err := eng.AddWebRTCOffer(o.id, media.WebRTCConfig{
			Offer: offer, Ufrag: s.ufrag, Pwd: s.pwd, Key: c.key, Certificate: c.cert,
		})
		if err != nil {
			st.s.log.Warn("kurentotest: no media for this endpoint", "object", o.id, "err", err)
			return offer
		}
		return out
	}
	return offer
}

// mediaAnswered completes the transport of an endpoint whose offer was
// answered.
func (st *state) mediaAnswered(o *object, local, answer string) {
	eng := st.s.media
	switch {
	case eng == nil || !slices.Contains(eng.Nodes(), o.id):
	case st.s.cat.isA(o.typ, "RtpEndpoint"):
		st.mediaRTPRemote(o, local, answer)
	case st.s.cat.isA(o.typ, "WebRtcEndpoint"):
		if err := eng.WebRTCAnswer(o.id, answer); err != nil {
			st.s.log.Warn("kurentotest: no media for this endpoint", "object", o.id, "err", err)
		}
	}
}

// syncMedia gives the engine the elements and routes of the current
// state. It runs after every request and after a restart.
func (st *state) syncMedia() {
	eng := st.s.media
	if eng == nil {
		return
	}
	known := eng.Nodes()
	for _, id := range known {
		if _, ok := st.objects[id]; !ok {
			eng.Remove(id)
		}
	}
	for _, id := range st.order {
		st.s.behaviours.engineNode(eng, st.objects[id])
	}
	var rs []media.Route
	for _, l := range st.links {
		if k, ok := mediaKind(l.mediaType); ok {
			rs = append(rs, media.Route{Source: l.source, Sink: l.sink, Kind: k})
		}
	}
	for _, id := range st.order {
		rs = append(rs, st.s.behaviours.engineRoutes(st, st.objects[id])...)
	}
	eng.SetRoutes(rs)
}

func mediaKind(mt string) (media.Kind, bool) {
	switch mt {
	case "AUDIO":
		return media.Audio, true
	case "VIDEO":
		return media.Video, true
	}
	return 0, false
}

// mediaEvent turns an engine event into the state changes and Kurento
// events a real KMS shows, through the behaviour the event belongs to.
func (s *Server) mediaEvent(ev media.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	st := s.st
	o, ok := st.objects[ev.Node]
	if !ok {
		return
	}
	switch ev.Type {
	case media.EventCandidate, media.EventGatheringDone, media.EventICEState, media.EventPairSelected, media.EventDTLSState:
		st.transportEvent(o, ev)
	case media.EventFlowIn, media.EventFlowOut:
		st.mediaFlow(o, ev)
	case media.EventEndOfStream:
		st.playerEnded(o)
	}
}
