package kurentotest

import (
	"slices"

	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// This file joins the fake to its media engine (package internal/media)
// when [WithMedia] is given: negotiated endpoints get the transport their
// behaviour gives them (WebRTC in ice.go, RTP sockets in rtpendpoint.go),
// elements get the engine nodes their behaviours name, the pipeline's
// connections become routes, and what the engine sees (ICE, DTLS, packets
// arriving or stopping, a player's end of file) goes to the behaviour it
// concerns. Without WithMedia none of this runs.

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

// mediaAnswer gives an endpoint that answered an offer its transport,
// through the behaviour of its class that has one; the answer comes back
// as the transport needs it.
func (st *state) mediaAnswer(o *object, offer, answer string) string {
	t, ok := st.transport(o)
	if !ok {
		return answer
	}
	return t.answer(st, o, offer, answer)
}

// mediaOffer gives an endpoint that generated an offer its transport; the
// offer comes back as the transport needs it.
func (st *state) mediaOffer(o *object, offer string) string {
	t, ok := st.transport(o)
	if !ok {
		return offer
	}
	return t.offer(st, o, offer)
}

// mediaAnswered completes the transport of an endpoint whose offer was
// answered.
func (st *state) mediaAnswered(o *object, local, answer string) {
	t, ok := st.transport(o)
	if !ok || !slices.Contains(st.s.media.Nodes(), o.id) {
		return
	}
	t.answered(st, o, local, answer)
}

// transport is the media transport of o's class, when the server carries
// media and a behaviour gives the class one.
func (st *state) transport(o *object) (transport, bool) {
	if st.s.media == nil {
		return transport{}, false
	}
	return st.s.behaviours.transport(o.typ)
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
