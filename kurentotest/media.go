package kurentotest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

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

// mediaRTPSockets opens a loopback UDP socket per accepted m-line of an
// RtpEndpoint's SDP and writes their address and ports in it (c= line,
// m= port, a=rtcp: RTP and RTCP share the port).
func (st *state) mediaRTPSockets(o *object, local string) string {
	d, ok := parseSDP(local)
	if !ok {
		return local
	}
	kinds := make([]*media.Kind, len(d.media))
	for i, m := range d.media {
		if k, ok := mediaKind(strings.ToUpper(m.kind)); ok && m.port != "0" {
			kinds[i] = &k
		}
	}
	ports, err := st.s.media.AddRTP(o.id, kinds)
	if err != nil {
		st.s.log.Warn("kurentotest: no media for this endpoint", "object", o.id, "err", err)
		return local
	}
	return withSDES(withRTPPorts(local, ports), sdesLine(o))
}

// sdesLine is the a=crypto line of an RtpEndpoint created with an SDES
// crypto suite ("" without): its key, or a random one of the suite's size
// when none was given.
func sdesLine(o *object) string {
	c, _ := o.props["crypto"].(map[string]any)
	suite, _ := c["crypto"].(string)
	names := map[string]string{
		"AES_128_CM_HMAC_SHA1_80": "AES_CM_128_HMAC_SHA1_80",
		"AES_128_CM_HMAC_SHA1_32": "AES_CM_128_HMAC_SHA1_32",
		"AES_256_CM_HMAC_SHA1_80": "AES_256_CM_HMAC_SHA1_80",
		"AES_256_CM_HMAC_SHA1_32": "AES_256_CM_HMAC_SHA1_32",
	}
	name, ok := names[suite]
	if !ok {
		return ""
	}
	var key []byte
	if k, ok := c["key"].(string); ok {
		key = []byte(k)
	} else if k, ok := c["keyBase64"].(string); ok {
		key, _ = base64.StdEncoding.DecodeString(k)
	}
	if key == nil {
		key = make([]byte, 30)
		if strings.HasPrefix(suite, "AES_256") {
			key = make([]byte, 46)
		}
		_, _ = rand.Read(key)
	}
	return "a=crypto:1 " + name + " inline:" + base64.StdEncoding.EncodeToString(key)
}

// withSDES adds an a=crypto line after the a=mid line of every accepted
// RTP m-line.
func withSDES(text, line string) string {
	if line == "" {
		return text
	}
	lines := strings.Split(text, "\r\n")
	out := make([]string, 0, len(lines)+2)
	rtp := false
	for _, l := range lines {
		out = append(out, l)
		if strings.HasPrefix(l, "m=") {
			f := strings.Fields(l)
			rtp = len(f) > 2 && f[1] != "0" && strings.HasPrefix(f[2], "RTP/")
		}
		if rtp && strings.HasPrefix(l, "a=mid:") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\r\n")
}

func (st *state) mediaRTPRemote(o *object, local, remote string) {
	if err := st.s.media.SetRTPRemote(o.id, local, remote); err != nil {
		st.s.log.Warn("kurentotest: no media for this endpoint", "object", o.id, "err", err)
	}
}

// withRTPPorts puts the loopback address and the sockets' ports in an
// SDP the fake wrote (port 1, "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4
// 0.0.0.0" lines).
func withRTPPorts(text string, ports []int) string {
	lines := strings.Split(text, "\r\n")
	sec := -1
	for i, l := range lines {
		port := 0
		if sec >= 0 && sec < len(ports) {
			port = ports[sec]
		}
		switch {
		case strings.HasPrefix(l, "m="):
			sec++
			if sec < len(ports) && ports[sec] > 0 {
				f := strings.Fields(l)
				if len(f) > 1 {
					f[1] = strconv.Itoa(ports[sec])
					lines[i] = strings.Join(f, " ")
				}
			}
		case l == "c=IN IP4 0.0.0.0":
			lines[i] = "c=IN IP4 127.0.0.1"
		case l == "a=rtcp:9 IN IP4 0.0.0.0" && port > 0:
			lines[i] = "a=rtcp:" + strconv.Itoa(port) + " IN IP4 127.0.0.1"
		}
	}
	return strings.Join(lines, "\r\n")
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
		o := st.objects[id]
		switch {
		case !st.s.cat.isA(o.typ, "MediaElement"):
		case st.s.cat.isA(o.typ, "SdpEndpoint"):
			// A node comes with the negotiation (mediaAnswer).
		case o.typ == "PlayerEndpoint":
			eng.AddPlayer(id)
		case o.typ == "RecorderEndpoint":
			eng.AddRecorder(id)
		case o.typ == "HubPort":
			eng.AddHubPort(id)
		default:
			eng.AddElement(id)
		}
	}
	var rs []media.Route
	for _, l := range st.links {
		if k, ok := mediaKind(l.mediaType); ok {
			rs = append(rs, media.Route{Source: l.source, Sink: l.sink, Kind: k})
		}
	}
	for _, id := range st.order {
		if o := st.objects[id]; st.s.cat.isA(o.typ, "Hub") {
			rs = append(rs, st.hubRoutes(o)...)
		}
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

// hubRoutes joins a hub's ports: Dispatcher and Mixer as connected,
// DispatcherOneToMany from its source to every other port, Composite and
// AlphaBlending from every port to every other one (each output takes one
// input at a time: no mixing).
func (st *state) hubRoutes(h *object) []media.Route {
	var ports []string
	for _, c := range h.children {
		if o, ok := st.objects[c]; ok && o.typ == "HubPort" {
			ports = append(ports, c)
		}
	}
	var rs []media.Route
	add := func(src, sink string, kinds ...media.Kind) {
		if src == sink || !slices.Contains(ports, src) || !slices.Contains(ports, sink) {
			return
		}
		for _, k := range kinds {
			rs = append(rs, media.Route{Source: src, Sink: sink, Kind: k, Hub: true})
		}
	}
	switch h.typ {
	case "Dispatcher", "Mixer":
		for _, r := range hubLinks(h) {
			if r.kind == "" {
				add(r.source, r.sink, media.Audio, media.Video)
			} else if k, ok := mediaKind(r.kind); ok {
				add(r.source, r.sink, k)
			}
		}
	case "DispatcherOneToMany":
		if src, ok := h.ext["source"].(string); ok {
			for _, p := range ports {
				add(src, p, media.Audio, media.Video)
			}
		}
	default:
		for _, a := range ports {
			for _, b := range ports {
				add(a, b, media.Audio, media.Video)
			}
		}
	}
	return rs
}

// hubLink is a port-to-port connection made by Dispatcher.connect or
// Mixer.connect (kind "" for both media types).
type hubLink struct{ source, sink, kind string }

const hubLinksKey = "hubLinks"

func hubLinks(h *object) []hubLink {
	l, _ := h.ext[hubLinksKey].([]hubLink)
	return l
}

// setHubLink records a hub connection; a sink takes one source per kind.
func setHubLink(h *object, l hubLink) {
	ls := slices.DeleteFunc(slices.Clone(hubLinks(h)), func(o hubLink) bool {
		return o.sink == l.sink && (o.kind == l.kind || o.kind == "" || l.kind == "")
	})
	h.ext[hubLinksKey] = append(ls, l)
}

func removeHubLink(h *object, l hubLink) {
	h.ext[hubLinksKey] = slices.DeleteFunc(slices.Clone(hubLinks(h)), func(o hubLink) bool { return o == l })
}

// mediaEvent turns an engine event into the state changes and Kurento
// events a real KMS shows.
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
	case media.EventFlowIn, media.EventFlowOut:
		st.mediaFlow(o, ev)
	case media.EventEndOfStream:
		st.stopSource(o)
		uriOf(o).remaining = 0
		st.setURIState(o, "STOP")
		st.emit(o.id, "EndOfStream", nil)
	}
}

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
	if state == "DISCONNECTED" && o.ext[sessionStartedKey] == true {
		delete(o.ext, sessionStartedKey)
		st.emit(o.id, "MediaSessionTerminated", nil)
	}
}

const sessionStartedKey = "mediaSessionStarted"

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
	if dir == flowIn && ev.Flowing && st.s.cat.isA(o.typ, "BaseRtpEndpoint") && o.ext[sessionStartedKey] != true {
		o.ext[sessionStartedKey] = true
		st.emit(o.id, "MediaSessionStarted", nil)
	}
	st.emit(o.id, name, map[string]any{"state": state, "padName": "default", "mediaType": mt})
	if dir == flowIn && ev.Flowing {
		st.mediaArrived(o)
	}
}

// mediaPlay plays a player's file; false without media. A file the engine
// cannot read gives Error INVALID_URI and no media, like a KMS that cannot
// open the URI.
func (st *state) mediaPlay(o *object) bool {
	eng := st.s.media
	if eng == nil {
		return false
	}
	st.mediaFile(o, func(path string) error {
		eng.AddPlayer(o.id)
		return eng.Play(o.id, path)
	})
	st.setURIState(o, "START")
	return true
}

// mediaRecord starts writing a recorder's file; false without media.
func (st *state) mediaRecord(o *object) bool {
	eng := st.s.media
	if eng == nil {
		return false
	}
	st.mediaFile(o, func(path string) error {
		eng.AddRecorder(o.id)
		return eng.Record(o.id, path)
	})
	return true
}

// mediaFile runs start on the file of o's URI; a URI that names no file
// the engine can use raises Error INVALID_URI, as a KMS that cannot open it.
func (st *state) mediaFile(o *object, start func(path string) error) {
	uri, _ := o.props["uri"].(string)
	path, err := filePath(uri)
	if err == nil {
		err = start(path)
	}
	if err != nil {
		st.emit(o.id, "Error", map[string]any{"description": "Invalid URI: " + err.Error(), "errorCode": 0, "type": "INVALID_URI"})
	}
}

func filePath(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", err
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("only file:// URIs carry media in the fake, not %q", u.Scheme)
	}
	return u.Path, nil
}
