package media

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// WebRTCConfig describes one negotiated WebRtcEndpoint.
type WebRTCConfig struct {
	// Offer is the remote peer's offer.
	Offer string
	// Answer is the answer the fake built for it: its codecs, directions
	// and SSRCs are what the node uses. Its ICE credentials are Ufrag and
	// Pwd, its fingerprint that of Config.Certificate.
	Answer     string
	Ufrag, Pwd string
	// Key and Certificate are the DTLS identity; the answer advertises
	// the certificate's fingerprint.
	Key         crypto.PrivateKey
	Certificate *x509.Certificate
}

// answerMedia is what the node needs of one m-line of the answer.
type answerMedia struct {
	index  int
	mid    string
	kind   string // audio, video, application
	send   bool
	codecs []webrtc.RTPCodecParameters
}

func parseAnswer(text string) ([]answerMedia, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(text); err != nil {
		return nil, fmt.Errorf("parse the answer: %w", err)
	}
	var out []answerMedia
	for i, m := range d.MediaDescriptions {
		if m.MediaName.Port.Value == 0 {
			continue
		}
		am := answerMedia{index: i, mid: strconv.Itoa(i), kind: m.MediaName.Media}
		if v, ok := m.Attribute("mid"); ok {
			am.mid = v
		}
		_, sendrecv := m.Attribute("sendrecv")
		_, sendonly := m.Attribute("sendonly")
		am.send = sendrecv || sendonly
		if am.kind == "audio" || am.kind == "video" {
			for _, f := range m.MediaName.Formats {
				pt, err := strconv.ParseUint(f, 10, 8)
				if err != nil {
					continue
				}
				c, err := d.GetCodecForPayloadType(uint8(pt))
				if err != nil || c.Name == "" {
					continue
				}
				p := webrtc.RTPCodecParameters{
					PayloadType: webrtc.PayloadType(pt),
					RTPCodecCapability: webrtc.RTPCodecCapability{
						MimeType:    am.kind + "/" + c.Name,
						ClockRate:   c.ClockRate,
						SDPFmtpLine: c.Fmtp,
					},
				}
				if ch, err := strconv.ParseUint(c.EncodingParameters, 10, 16); err == nil {
					p.Channels = uint16(ch)
				}
				for _, fb := range c.RTCPFeedback {
					typ, param, _ := strings.Cut(fb, " ")
					p.RTCPFeedback = append(p.RTCPFeedback, webrtc.RTCPFeedback{Type: typ, Parameter: param})
				}
				am.codecs = append(am.codecs, p)
			}
		}
		out = append(out, am)
	}
	return out, nil
}

// webrtcNode is the network side of a WebRTC node.
type webrtcNode struct {
	n     *node
	pc    *webrtc.PeerConnection
	media []answerMedia

	mu        sync.Mutex
	gather    bool     // gathering was requested
	pending   []string // candidates found before that
	done      bool     // pion finished gathering
	doneSent  bool
	tracks    [numKinds]*webrtc.TrackLocalStaticRTP
	trackMime [numKinds]string
	closed    bool
	// secure: DTLS is connected, the node can send to its peer.
	secure bool

	// An offering node: its senders by mid until the answer came
	// (answered).
	senders  map[string]*webrtc.RTPSender
	answered bool
	// The peer's candidates (those of its description included) and the
	// ICE states, held until gathering was requested (and, offering,
	// the answer came): a real KMS starts ICE with gatherCandidates and
	// reports no ICE state before.
	remoteBuf []webrtc.ICECandidateInit
	states    []string
}

// AddWebRTC adds a WebRTC node for a negotiated endpoint. Its ICE runs
// from [Engine.Gather] on, as on KMS: the local candidates and the ICE
// states are reported, and the peer's candidates (of the offer and of
// [Engine.AddRemoteCandidate]) used, only then. It returns
// the answer with the SSRCs of the node's senders in place of the ones
// the fake made up.
func (e *Engine) AddWebRTC(id string, cfg WebRTCConfig) (string, error) {
	media, err := parseAnswer(cfg.Answer)
	if err != nil {
		return "", err
	}
	return e.addWebRTCNode(id, cfg, media, &webrtcNode{media: media}, func(w *webrtcNode) (string, error) { return w.start(cfg) })
}

// addWebRTCNode registers w as the WebRTC node id with a new peer
// connection, after negotiate (the answering or the offering side) gave
// the SDP to return; a failure closes the connection and adds nothing.
func (e *Engine) addWebRTCNode(id string, cfg WebRTCConfig, media []answerMedia, w *webrtcNode, negotiate func(*webrtcNode) (string, error)) (string, error) {
	e.mu.RLock()
	closed, exists := e.closed, e.nodes[id] != nil
	e.mu.RUnlock()
	if closed {
		return "", ErrClosed
	}
	if exists {
		return "", fmt.Errorf("media: node %s exists", id)
	}
	n := e.newNode(id)
	n.network = true
	w.n = n
	pc, err := e.newPeerConnection(cfg, media)
	if err != nil {
		return "", err
	}
	w.pc = pc
	n.out = w
	sdp, err := negotiate(w)
	if err != nil {
		_ = pc.Close()
		return "", err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		_ = pc.Close()
		return "", ErrClosed
	}
	e.nodes[id] = n
	e.mu.Unlock()
	return sdp, nil
}

func (e *Engine) newPeerConnection(cfg WebRTCConfig, media []answerMedia) (*webrtc.PeerConnection, error) {
	me := &webrtc.MediaEngine{}
	for _, m := range media {
		typ := webrtc.RTPCodecTypeAudio
		if m.kind == "video" {
			typ = webrtc.RTPCodecTypeVideo
		}
		for _, c := range m.codecs {
			if err := me.RegisterCodec(c, typ); err != nil && !errors.Is(err, webrtc.ErrCodecAlreadyRegistered) {
				return nil, fmt.Errorf("register %s: %w", c.MimeType, err)
			}
		}
	}
	// RTCP reports, and NACKs both ways: a lost packet is asked for again
	// and what a peer asks for is sent again (the answer offers no RTX, so
	// as plain retransmissions).
	reg := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureNack(me, reg); err != nil {
		return nil, err
	}
	var se webrtc.SettingEngine
	se.SetICECredentials(cfg.Ufrag, cfg.Pwd)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.LoggerFactory = pionLogs{e.log}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(reg))
	cert := webrtc.CertificateFromX509(cfg.Key, cfg.Certificate)
	return api.NewPeerConnection(webrtc.Configuration{Certificates: []webrtc.Certificate{cert}})
}

func kindOf(k webrtc.RTPCodecType) Kind {
	if k == webrtc.RTPCodecTypeAudio {
		return Audio
	}
	return Video
}

// hook follows the peer connection's ICE, DTLS and tracks.
func (w *webrtcNode) hook() {
	pc, n := w.pc, w.n
	e := n.e
	pc.OnICECandidate(w.candidate)
	pc.OnICEConnectionStateChange(w.iceState)
	pc.OnTrack(w.track)
	dtls := pc.SCTP().Transport()
	dtls.OnStateChange(func(s webrtc.DTLSTransportState) {
		w.mu.Lock()
		w.secure = s == webrtc.DTLSTransportStateConnected
		w.mu.Unlock()
		switch s {
		case webrtc.DTLSTransportStateConnecting, webrtc.DTLSTransportStateConnected,
			webrtc.DTLSTransportStateFailed, webrtc.DTLSTransportStateClosed:
			e.emit(Event{Node: n.id, Type: EventDTLSState, State: strings.ToUpper(s.String())})
		case webrtc.DTLSTransportStateUnknown, webrtc.DTLSTransportStateNew:
			// Not a change KMS reports.
		}
	})
}

func (w *webrtcNode) start(cfg WebRTCConfig) (string, error) {
	pc, n := w.pc, w.n
	e := n.e
	w.hook()
	offer, cands := splitCandidates(cfg.Offer)
	w.remoteBuf = cands
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("apply the offer: %w", err)
	}
	ssrcs := map[string]webrtc.SSRC{}
	for _, m := range w.media {
		if !m.send || len(m.codecs) == 0 {
			continue
		}
		k := Video
		if m.kind == "audio" {
			k = Audio
		}
		if w.tracks[k] != nil {
			continue // one stream per media type
		}
		// The peer decodes the first codec of the answer: the node sends
		// that one, and takes only sources of the same codec.
		t, err := webrtc.NewTrackLocalStaticRTP(m.codecs[0].RTPCodecCapability, m.kind, "kurentotest-"+n.id)
		if err != nil {
			return "", err
		}
		sender, err := pc.AddTrack(t)
		if err != nil {
			return "", fmt.Errorf("add a %s track: %w", m.kind, err)
		}
		if enc := sender.GetParameters().Encodings; len(enc) > 0 {
			ssrcs[m.mid] = enc[0].SSRC
		}
		w.tracks[k] = t
		w.trackMime[k] = m.codecs[0].MimeType
		e.wg.Go(func() { w.readRTCP(sender, k) })
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("answer: %w", err)
	}
	if err := pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("apply the answer: %w", err)
	}
	return replaceSSRCs(cfg.Answer, ssrcs), nil
}

// replaceSSRCs puts the senders' SSRCs in the "a=ssrc:N ..." lines of
// the m-lines (by mid) of an answer, keeping everything else.
func replaceSSRCs(answer string, ssrcs map[string]webrtc.SSRC) string {
	eol := "\n"
	if strings.Contains(answer, "\r\n") {
		eol = "\r\n"
	}
	lines := strings.Split(answer, eol)
	// The mid of a section may come after its ssrc lines: find it first.
	section := make([]string, len(lines))
	mid := ""
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if v, ok := strings.CutPrefix(l, "a=mid:"); ok {
			mid = v
		}
		section[i] = mid
		if strings.HasPrefix(l, "m=") {
			mid = ""
		}
	}
	// Walk forward so every line of a section gets the section's mid.
	cur := ""
	for i, l := range lines {
		if strings.HasPrefix(l, "m=") {
			cur = section[i]
		}
		rest, ok := strings.CutPrefix(l, "a=ssrc:")
		if !ok {
			continue
		}
		ssrc, ok := ssrcs[cur]
		if !ok {
			continue
		}
		if _, tail, ok := strings.Cut(rest, " "); ok {
			lines[i] = "a=ssrc:" + strconv.FormatUint(uint64(ssrc), 10) + " " + tail
		}
	}
	return strings.Join(lines, eol)
}

func (w *webrtcNode) candidate(c *webrtc.ICECandidate) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c == nil {
		w.done = true
	} else {
		w.pending = append(w.pending, c.ToJSON().Candidate)
	}
	w.flushCandidates()
}

// flushCandidates reports the candidates found, once gathering was
// requested: each on every m-line (the m-lines share one transport).
// Called with w.mu held.
func (w *webrtcNode) flushCandidates() {
	if !w.gather || w.closed {
		return
	}
	for _, c := range w.pending {
		for _, m := range w.media {
			w.n.e.emit(Event{Node: w.n.id, Type: EventCandidate, Candidate: c, Mid: m.mid, MLineIndex: m.index})
		}
	}
	w.pending = nil
	if w.done && !w.doneSent {
		w.doneSent = true
		w.n.e.emit(Event{Node: w.n.id, Type: EventGatheringDone})
	}
}

// Gather starts reporting the node's local candidates.
func (e *Engine) Gather(id string) {
	n := e.node(id)
	if n == nil {
		return
	}
	if w, ok := n.out.(*webrtcNode); ok {
		w.mu.Lock()
		w.gather = true
		w.flushCandidates()
		for _, st := range w.states {
			w.emitState(st)
		}
		w.states = nil
		buf := w.takeRemote()
		w.mu.Unlock()
		w.addRemote(buf)
	}
}

// AddRemoteCandidate gives the node a candidate of its peer. Candidates
// it cannot use (mDNS names, TCP) are dropped, as KMS drops what libnice
// cannot parse.
func (e *Engine) AddRemoteCandidate(id, candidate, mid string, index int) {
	n := e.node(id)
	if n == nil {
		return
	}
	w, ok := n.out.(*webrtcNode)
	if !ok {
		return
	}
	idx := uint16(index) //nolint:gosec // G115: an m-line index is small
	init := webrtc.ICECandidateInit{Candidate: candidate, SDPMid: &mid, SDPMLineIndex: &idx}
	w.mu.Lock()
	w.remoteBuf = append(w.remoteBuf, init)
	buf := w.takeRemote()
	w.mu.Unlock()
	w.addRemote(buf)
}

// emitState reports an ICE state, or holds it until gathering was
// requested. Called with w.mu held.
func (w *webrtcNode) emitState(state string) {
	if !w.gather {
		w.states = append(w.states, state)
		return
	}
	w.n.e.emit(Event{Node: w.n.id, Type: EventICEState, State: state})
}

func (w *webrtcNode) iceState(s webrtc.ICEConnectionState) {
	n := w.n
	emit := func(state string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.emitState(state)
	}
	switch s {
	case webrtc.ICEConnectionStateChecking:
		emit("CONNECTING")
	case webrtc.ICEConnectionStateConnected:
		emit("CONNECTED")
		if p, err := w.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair(); err == nil && p != nil {
			n.e.emit(Event{
				Node: n.id, Type: EventPairSelected,
				Local: p.Local.ToJSON().Candidate, Remote: p.Remote.ToJSON().Candidate,
			})
		}
		emit("READY")
	case webrtc.ICEConnectionStateFailed:
		emit("FAILED")
	case webrtc.ICEConnectionStateDisconnected:
		emit("DISCONNECTED")
	default:
	}
}

// track reads what the peer sends on one track and forwards it.
func (w *webrtcNode) track(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	n, pc := w.n, w.pc
	k := kindOf(t.Kind())
	ssrc := uint32(t.SSRC())
	src := &source{node: n, kind: k, mime: t.Codec().MimeType, clock: t.Codec().ClockRate}
	if k == Video {
		src.keyframe = func() {
			_ = pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
		}
		// A decoder downstream may already wait: ask for a key frame now.
		src.keyframe()
	}
	// OnTrack runs on a goroutine of pion that ends with the track.
	for {
		p, _, err := t.ReadRTP()
		if err != nil {
			return
		}
		n.flow(k, dirOut)
		n.e.forward(n, k, src, p, false, 0)
	}
}

// readRTCP reads what the peer says about what the node sends, passing
// key frame requests upstream.
func (w *webrtcNode) readRTCP(s *webrtc.RTPSender, k Kind) {
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				w.n.keyframeRequested(k)
			}
		}
	}
}

// ready: what reaches the node flows in only once its peer's transport
// is up (KMS 7.3.1 reports no flow in on a WebRtcEndpoint whose ICE has
// not connected, even with a source sending to it).
func (w *webrtcNode) ready() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.secure
}

func (w *webrtcNode) accepts(k Kind, mime string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tracks[k] != nil && sameCodec(w.trackMime[k], mime)
}

func (w *webrtcNode) write(k Kind, _ *source, p *rtp.Packet) {
	w.mu.Lock()
	t := w.tracks[k]
	w.mu.Unlock()
	if t == nil {
		return
	}
	_ = t.WriteRTP(p)
}

func (w *webrtcNode) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	// GracefulClose waits for pion's goroutines, so none outlives the node.
	_ = w.pc.GracefulClose()
}

// AddWebRTCOffer adds a WebRTC node for an endpoint that generated an
// offer (cfg.Offer, the fake's; cfg.Answer unused) and starts its ICE
// agent as the offering, controlling side. It returns the offer with the
// SSRCs of the node's senders. [Engine.WebRTCAnswer] completes it.
func (e *Engine) AddWebRTCOffer(id string, cfg WebRTCConfig) (string, error) {
	media, err := parseAnswer(cfg.Offer)
	if err != nil {
		return "", err
	}
	for _, m := range media {
		if m.kind != "audio" && m.kind != "video" {
			return "", fmt.Errorf("media: an offer with a %s m-line carries no media", m.kind)
		}
	}
	w := &webrtcNode{media: media, senders: map[string]*webrtc.RTPSender{}}
	return e.addWebRTCNode(id, cfg, media, w, func(w *webrtcNode) (string, error) { return w.offer(cfg) })
}

// offer adds a transceiver per m-line of the fake's offer, with its mid
// and direction, and applies pion's own offer (the same ICE credentials,
// certificate, mids and payload types), which starts gathering.
func (w *webrtcNode) offer(cfg WebRTCConfig) (string, error) {
	pc := w.pc
	w.hook()
	dirs, err := offerDirections(cfg.Offer)
	if err != nil {
		return "", err
	}
	ssrcs := map[string]webrtc.SSRC{}
	for i, m := range w.media {
		typ := webrtc.RTPCodecTypeAudio
		if m.kind == "video" {
			typ = webrtc.RTPCodecTypeVideo
		}
		dir := dirs[i]
		if len(m.codecs) == 0 {
			dir = webrtc.RTPTransceiverDirectionRecvonly
		}
		var tr *webrtc.RTPTransceiver
		if dir == webrtc.RTPTransceiverDirectionSendrecv || dir == webrtc.RTPTransceiverDirectionSendonly {
			// A stand-in track: the answer picks the codec, and the
			// real track replaces this one before anything is sent.
			t, err := webrtc.NewTrackLocalStaticRTP(m.codecs[0].RTPCodecCapability, m.kind, "kurentotest-"+w.n.id)
			if err != nil {
				return "", err
			}
			tr, err = pc.AddTransceiverFromTrack(t, webrtc.RTPTransceiverInit{Direction: dir})
			if err != nil {
				return "", fmt.Errorf("add a %s transceiver: %w", m.kind, err)
			}
			w.senders[m.mid] = tr.Sender()
			if enc := tr.Sender().GetParameters().Encodings; len(enc) > 0 {
				ssrcs[m.mid] = enc[0].SSRC
			}
		} else {
			tr, err = pc.AddTransceiverFromKind(typ, webrtc.RTPTransceiverInit{Direction: dir})
			if err != nil {
				return "", fmt.Errorf("add a %s transceiver: %w", m.kind, err)
			}
		}
		if err := tr.SetMid(m.mid); err != nil {
			return "", err
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("offer: %w", err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("apply the offer: %w", err)
	}
	return replaceSSRCs(cfg.Offer, ssrcs), nil
}

// offerDirections reads the direction of each m-line of an offer.
func offerDirections(text string) ([]webrtc.RTPTransceiverDirection, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(text); err != nil {
		return nil, fmt.Errorf("parse the offer: %w", err)
	}
	var out []webrtc.RTPTransceiverDirection
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Port.Value == 0 {
			continue
		}
		dir := webrtc.RTPTransceiverDirectionSendrecv
		for _, a := range []string{"sendonly", "recvonly", "inactive"} {
			if _, ok := m.Attribute(a); ok {
				dir = webrtc.NewRTPTransceiverDirection(a)
			}
		}
		out = append(out, dir)
	}
	return out, nil
}

// WebRTCAnswer applies the peer's answer to an offering node: each sender
// gets a track of the first codec the answer gives its m-line (the one the
// peer decodes), then media starts.
func (e *Engine) WebRTCAnswer(id, answer string) error {
	n := e.node(id)
	if n == nil {
		return fmt.Errorf("media: no node %s", id)
	}
	w, ok := n.out.(*webrtcNode)
	if !ok || w.senders == nil {
		return fmt.Errorf("media: node %s did not offer", id)
	}
	remote, err := parseAnswer(answer)
	if err != nil {
		return err
	}
	type sending struct {
		sender *webrtc.RTPSender
		kind   Kind
	}
	var started []sending
	for _, m := range remote {
		sender := w.senders[m.mid]
		if sender == nil || len(m.codecs) == 0 {
			continue
		}
		k := Video
		if m.kind == "audio" {
			k = Audio
		}
		if w.tracks[k] != nil {
			continue // one stream per media type
		}
		t, err := webrtc.NewTrackLocalStaticRTP(m.codecs[0].RTPCodecCapability, m.kind, "kurentotest-"+id)
		if err != nil {
			return err
		}
		// Nothing was sent yet: this swaps the track before it binds.
		if err := sender.ReplaceTrack(t); err != nil {
			return fmt.Errorf("media: %s track: %w", m.kind, err)
		}
		started = append(started, sending{sender, k})
		w.mu.Lock()
		w.tracks[k], w.trackMime[k] = t, m.codecs[0].MimeType
		w.mu.Unlock()
	}
	answer, cands := splitCandidates(answer)
	if err := w.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return fmt.Errorf("apply the answer: %w", err)
	}
	for _, s := range started {
		e.wg.Go(func() { w.readRTCP(s.sender, s.kind) })
	}
	w.mu.Lock()
	w.answered = true
	w.remoteBuf = append(cands, w.remoteBuf...)
	buf := w.takeRemote()
	w.mu.Unlock()
	w.addRemote(buf)
	return nil
}

// takeRemote returns the held candidates of the peer once ICE may run:
// gathering was requested and, offering, the answer came. Called with
// w.mu held.
func (w *webrtcNode) takeRemote() []webrtc.ICECandidateInit {
	if !w.gather || (w.senders != nil && !w.answered) {
		return nil
	}
	buf := w.remoteBuf
	w.remoteBuf = nil
	return buf
}

func (w *webrtcNode) addRemote(buf []webrtc.ICECandidateInit) {
	for _, c := range buf {
		if err := w.pc.AddICECandidate(c); err != nil {
			w.n.e.log.Debug("media: remote candidate dropped", "node", w.n.id, "candidate", c.Candidate, "err", err)
		}
	}
}

// splitCandidates takes the candidate lines out of a session
// description, with the mid and index of their m-line.
func splitCandidates(sdp string) (string, []webrtc.ICECandidateInit) {
	eol := "\n"
	if strings.Contains(sdp, "\r\n") {
		eol = "\r\n"
	}
	lines := strings.Split(sdp, eol)
	// A section's mid may come after its candidates: find it first.
	mids := map[int]string{}
	index := -1
	for _, l := range lines {
		if strings.HasPrefix(l, "m=") {
			index++
		}
		if v, ok := strings.CutPrefix(l, "a=mid:"); ok && index >= 0 {
			mids[index] = v
		}
	}
	var out []webrtc.ICECandidateInit
	kept := lines[:0:0]
	index = -1
	for _, l := range lines {
		if strings.HasPrefix(l, "m=") {
			index++
		}
		c, ok := strings.CutPrefix(l, "a=")
		if !ok || !strings.HasPrefix(c, "candidate:") || index < 0 {
			kept = append(kept, l)
			continue
		}
		mid, idx := mids[index], uint16(index) //nolint:gosec // G115: an m-line index is small
		out = append(out, webrtc.ICECandidateInit{Candidate: c, SDPMid: &mid, SDPMLineIndex: &idx})
	}
	return strings.Join(kept, eol), out
}
