package kurentotest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/gokurento/kurento/internal/kms"
)

// This file holds the SDP negotiation of SdpEndpoint: a small line parser,
// the answer to an offer and the offer of generateOffer, shaped like those
// of a real KMS 7.3 (real-kms/g_answer.sdp, g_generated_offer.sdp). No
// media is carried.

// sdpState is the negotiation state of an SdpEndpoint.
type sdpState struct {
	local, remote string
	offered       bool // generateOffer done, waiting for an answer
	answered      bool
	// mids are the m-lines of the negotiated session (local view), with
	// their index; bundle tells whether they share one ICE stream.
	media  []sdpMedia
	bundle bool
	ufrag  string
	pwd    string
}

func sdpOf(o *object) *sdpState {
	if o.sdp == nil {
		o.sdp = &sdpState{}
	}
	return o.sdp
}

func (s *sdpState) negotiated() bool { return s.local != "" && s.remote != "" }

func sdpBehaviour() behaviour {
	return behaviour{name: "SDP negotiation", engineNodes: []engineNode{
		// An endpoint's node comes with the negotiation (mediaAnswer,
		// mediaOffer).
		{class: "SdpEndpoint", add: nil},
	}, defaults: []propertyDefault{
		{class: "SdpEndpoint", prop: "maxVideoRecvBandwidth", value: json.Number("0")},
		{class: "SdpEndpoint", prop: "maxAudioRecvBandwidth", value: json.Number("0")},
	}, ops: opsOf("SdpEndpoint", map[string]opFunc{
		"processOffer":  processOffer,
		"generateOffer": generateOffer,
		"processAnswer": processAnswer,
		"getLocalSessionDescriptor": func(x *invocation) (any, *rpcError) {
			s := sdpOf(x.obj)
			if s.local == "" {
				return nil, kmsError(kms.CodeSDPNoLocalSDP, kms.MsgNoLocalSDP)
			}
			return s.local, nil
		},
		"getRemoteSessionDescriptor": func(x *invocation) (any, *rpcError) {
			s := sdpOf(x.obj)
			if s.remote == "" {
				return nil, kmsError(kms.CodeSDPNoRemoteSDP, kms.MsgNoRemoteSDP)
			}
			return s.remote, nil
		},
	})}
}

// ---- parsing ----

// sdpDoc is a parsed session description.
type sdpDoc struct {
	session []string // session-level lines after v=
	media   []*sdpSection
}

// sdpSection is one m-line and its lines.
type sdpSection struct {
	kind, port, proto string
	formats           []string
	lines             []string // a=, c=, b=... lines after the m-line
}

// attr returns the values of attribute name ("a=name:value" or "a=name").
func (m *sdpSection) attr(name string) []string {
	var out []string
	for _, l := range m.lines {
		if v, ok := attrValue(l, name); ok {
			out = append(out, v)
		}
	}
	return out
}

func (m *sdpSection) first(name string) string {
	if v := m.attr(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

func (m *sdpSection) mid(index int) string {
	if v := m.first("mid"); v != "" {
		return v
	}
	return strconv.Itoa(index)
}

func attrValue(line, name string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "a="+name)
	if !ok {
		return "", false
	}
	if rest == "" {
		return "", true
	}
	if v, ok := strings.CutPrefix(rest, ":"); ok {
		return v, true
	}
	return "", false
}

// parseSDP parses a session description. It accepts CRLF or LF line ends
// and rejects anything that is not a sequence of "<letter>=<text>" lines
// starting with v=0, with o= and s= lines and well-formed m-lines (an offer
// must also have one, see processOffer).
func parseSDP(text string) (*sdpDoc, bool) {
	text = strings.TrimRight(text, "\r\n")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], "\r") != "v=0" {
		return nil, false
	}
	d := &sdpDoc{}
	hasO, hasS := false, false
	for _, l := range lines[1:] {
		l = strings.TrimRight(l, "\r")
		if len(l) < 2 || l[1] != '=' || l[0] < 'a' || l[0] > 'z' {
			return nil, false
		}
		switch l[0] {
		case 'm':
			f := strings.Fields(l[2:])
			if len(f) < 4 {
				return nil, false
			}
			if _, err := strconv.Atoi(strings.SplitN(f[1], "/", 2)[0]); err != nil {
				return nil, false
			}
			d.media = append(d.media, &sdpSection{kind: f[0], port: f[1], proto: f[2], formats: f[3:]})
			continue
		case 'o':
			hasO = true
		case 's':
			hasS = true
		}
		if n := len(d.media); n > 0 {
			d.media[n-1].lines = append(d.media[n-1].lines, l)
		} else {
			d.session = append(d.session, l)
		}
	}
	if !hasO || !hasS {
		return nil, false
	}
	return d, true
}

func (d *sdpDoc) sessionAttr(name string) []string {
	var out []string
	for _, l := range d.session {
		if v, ok := attrValue(l, name); ok {
			out = append(out, v)
		}
	}
	return out
}

// direction of a section: its own attribute, else the session's, else
// sendrecv.
func (d *sdpDoc) direction(m *sdpSection) string {
	dirs := []string{"sendrecv", "sendonly", "recvonly", "inactive"}
	for _, l := range m.lines {
		for _, dir := range dirs {
			if l == "a="+dir {
				return dir
			}
		}
	}
	for _, l := range d.session {
		for _, dir := range dirs {
			if l == "a="+dir {
				return dir
			}
		}
	}
	return "sendrecv"
}

// ---- codecs ----

// codec is one payload type of a section.
type codec struct {
	pt     string
	rtpmap string // "opus/48000/2"
	fmtp   []string
	fb     []string
}

// staticPT is the encoding of a static payload type an offer may use
// without rtpmap ("" for the others).
func staticPT(pt string) string {
	switch pt {
	case "0":
		return "PCMU/8000"
	case "8":
		return "PCMA/8000"
	case "9":
		return "G722/8000"
	case "13":
		return "CN/8000"
	}
	return ""
}

// supported tells whether KMS negotiates a codec (by encoding name) for a
// media kind. rtx, red, ulpfec, G722, CN and telephone-event are dropped.
func supported(kind, rtpmap string) bool {
	name := strings.ToUpper(strings.SplitN(rtpmap, "/", 2)[0])
	switch kind {
	case "audio":
		return name == "OPUS" || name == "PCMU" || name == "PCMA"
	case "video":
		return name == "VP8" || name == "VP9" || name == "H264" || name == "AV1"
	}
	return false
}

func (m *sdpSection) codecs() []codec {
	out := make([]codec, 0, len(m.formats))
	for _, pt := range m.formats {
		c := codec{pt: pt, rtpmap: staticPT(pt)}
		for _, v := range m.attr("rtpmap") {
			if p, rest, ok := strings.Cut(v, " "); ok && p == pt {
				c.rtpmap = rest
			}
		}
		for _, v := range m.attr("fmtp") {
			if p, rest, ok := strings.Cut(v, " "); ok && p == pt {
				c.fmtp = append(c.fmtp, rest)
			}
		}
		for _, v := range m.attr("rtcp-fb") {
			if p, rest, ok := strings.Cut(v, " "); ok && p == pt && rest != "transport-cc" {
				c.fb = append(c.fb, rest)
			}
		}
		out = append(out, c)
	}
	return out
}

// ---- ICE credentials, ssrc ----

const iceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func randString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = iceChars[int(b[i])%len(iceChars)]
	}
	return string(b)
}

func randUint32() uint32 {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<32))
	if err != nil {
		return 1
	}
	return uint32(n.Uint64()) //nolint:gosec // G115: n < 2^32 by construction
}

func (s *sdpState) credentials() {
	if s.ufrag == "" {
		s.ufrag, s.pwd = randString(4), randString(22)
	}
}

// sdpWriter accumulates CRLF-terminated lines.
type sdpWriter struct{ b strings.Builder }

func (w *sdpWriter) line(format string, a ...any) {
	fmt.Fprintf(&w.b, format, a...)
	w.b.WriteString("\r\n")
}

// sessionHeader writes the session lines, with the server's next session
// version.
func (st *state) sessionHeader(w *sdpWriter) {
	st.s.sdpVersion++
	v := 4000000000 + st.s.sdpVersion%200000000
	w.line("v=0")
	w.line("o=- %d %d IN IP4 0.0.0.0", v, v)
	w.line("s=Kurento Media Server")
	w.line("c=IN IP4 0.0.0.0")
	w.line("t=0 0")
}

// transportLines writes an m-line's ssrc (every RTP m-line has one, whatever
// its direction, as KMS writes them; cname "" for none), ICE credentials and
// fingerprint.
func (st *state) transportLines(w *sdpWriter, s *sdpState, cname string) {
	if cname != "" {
		w.line("a=ssrc:%d cname:%s", randUint32(), cname)
	}
	w.line("a=ice-ufrag:%s", s.ufrag)
	w.line("a=ice-pwd:%s", s.pwd)
	w.line("a=fingerprint:sha-256 %s", st.fingerprint())
}

func newCname() string {
	return fmt.Sprintf("user%d@host-%08x", randUint32(), randUint32())
}

// ---- processOffer ----

func invertDirection(dir string, recvonly, sendonly bool) string {
	send, recv := true, true
	switch dir {
	case "sendonly":
		send = false // the peer only sends: we only receive
	case "recvonly":
		recv = false
	case "inactive":
		send, recv = false, false
	}
	if recvonly {
		send = false
	}
	if sendonly {
		recv = false
	}
	switch {
	case send && recv:
		return "sendrecv"
	case send:
		return "sendonly"
	case recv:
		return "recvonly"
	}
	return "inactive"
}

func processOffer(x *invocation) (any, *rpcError) {
	offer := x.str("offer")
	if offer == "" {
		return nil, kmsError(kms.CodeSDPParse, kms.MsgEmptyOffer)
	}
	s := sdpOf(x.obj)
	if s.local != "" || s.remote != "" {
		return nil, kmsError(kms.CodeSDPAlreadyNegotiated, kms.MsgAlreadyNegotiated)
	}
	d, ok := parseSDP(offer)
	if !ok || len(d.media) == 0 {
		if !sessionOnly(offer) {
			return nil, kmsError(kms.CodeSDPParse, kms.MsgInvalidSDP)
		}
		// KMS answers an offer without media with its session lines
		// alone; the session starts, and there is nothing to gather.
		s.credentials()
		s.media, s.bundle = nil, false
		var w sdpWriter
		x.st.sessionHeader(&w)
		s.remote, s.local = offer, w.b.String()
		x.st.sessionStarted(x.obj)
		return s.local, nil
	}
	s.remote = offer
	s.local = x.st.mediaAnswer(x.obj, offer, x.st.answerSDP(x.obj, s, d))
	x.st.sessionStarted(x.obj)
	return s.local, nil
}

// sessionOnly reports an offer a real KMS answers with no media: one
// without m-lines that has a version line anywhere, whatever else it
// holds (KMS 7.3.1 answers "v=0", "v=1", "v=abc" and "garbage\r\nv=0"
// alike, and refuses "t=0 0" or "this is not sdp" with Invalid SDP).
func sessionOnly(offer string) bool {
	version := false
	for l := range strings.SplitSeq(offer, "\n") {
		l = strings.TrimLeft(strings.TrimRight(l, "\r"), " \t")
		if strings.HasPrefix(l, "m=") {
			return false
		}
		version = version || strings.HasPrefix(l, "v=")
	}
	return version
}

func boolProp(o *object, name string) bool {
	b, _ := o.props[name].(bool)
	return b
}

// answerSDP builds the answer to an offer the way KMS lays it out: the
// session lines, then each m-line of the offer answered in order.
func (st *state) answerSDP(o *object, s *sdpState, d *sdpDoc) string {
	s.credentials()
	a := &sdpAnswer{st: st, s: s, offer: d, dataChannels: boolProp(o, "useDataChannels"), cname: newCname()}
	s.media = nil
	rejected := map[string]bool{}
	for i, m := range d.media {
		mid := m.mid(i)
		var ok bool
		if m.kind == "application" {
			ok = a.application(m, mid)
		} else {
			ok = a.rtp(m, mid)
		}
		if !ok {
			rejected[mid] = true
		}
		s.media = append(s.media, sdpMedia{kind: m.kind, proto: m.proto, mid: mid, rejected: !ok})
	}
	var w sdpWriter
	st.sessionHeader(&w)
	for _, name := range []string{"extmap-allow-mixed", "msid-semantic"} {
		for _, l := range d.session {
			if _, ok := attrValue(l, name); ok {
				w.line("%s", l)
			}
		}
	}
	s.bundle = answerBundle(&w, d, rejected)
	w.b.WriteString(a.body.b.String())
	return w.b.String()
}

// answerBundle writes the offer's BUNDLE groups without the rejected
// m-lines, and reports whether one is left.
func answerBundle(w *sdpWriter, d *sdpDoc, rejected map[string]bool) bool {
	bundle := false
	for _, g := range d.sessionAttr("group") {
		f := strings.Fields(g)
		if len(f) == 0 || f[0] != "BUNDLE" {
			continue
		}
		mids := slices.DeleteFunc(f[1:], func(m string) bool { return rejected[m] })
		if len(mids) > 0 {
			w.line("a=group:BUNDLE %s", strings.Join(mids, " "))
			bundle = true
		}
	}
	return bundle
}

// sdpAnswer writes the m-lines of an answer.
type sdpAnswer struct {
	st           *state
	s            *sdpState
	offer        *sdpDoc
	dataChannels bool
	cname        string
	body         sdpWriter
}

// application answers a data channel m-line; false when it is rejected
// (port 0): without useDataChannels, or refused by the offer.
func (a *sdpAnswer) application(m *sdpSection, mid string) bool {
	body := &a.body
	if !a.dataChannels || m.port == "0" {
		body.line("m=application 0 %s %s", m.proto, strings.Join(m.formats, " "))
		body.line("a=mid:%s", mid)
		return false
	}
	body.line("m=application 1 %s %s", m.proto, strings.Join(m.formats, " "))
	body.line("a=mid:%s", mid)
	body.line("a=rtcp:9 IN IP4 0.0.0.0")
	if p := m.first("sctp-port"); p != "" {
		body.line("a=sctp-port:%s", p)
	}
	for _, v := range m.attr("sctpmap") {
		body.line("a=sctpmap:%s", v)
	}
	if v := m.first("max-message-size"); v != "" {
		body.line("a=max-message-size:%s", v)
	}
	body.line("a=setup:%s", answerSetup(a.offer, m))
	a.st.transportLines(body, a.s, "")
	return true
}

// rtp answers an audio or video m-line with the codecs KMS negotiates;
// false when it is rejected: no usable codec, or refused by the offer. A
// rejected m-line keeps KMS's full layout (direction, rtcp, setup, ssrc,
// ICE credentials) with port 0, no rtpmap and the offer's first format
// only, as a real KMS answers it.
func (a *sdpAnswer) rtp(m *sdpSection, mid string) bool {
	body := &a.body
	keep := supportedCodecs(m)
	accepted := len(keep) > 0 && m.port != "0"
	port, pts := "1", make([]string, len(keep))
	for j, c := range keep {
		pts[j] = c.pt
	}
	if !accepted {
		port, keep, pts = "0", nil, nil
		if len(m.formats) > 0 {
			pts = m.formats[:1]
		}
	}
	body.line("m=%s %s %s %s", m.kind, port, m.proto, strings.Join(pts, " "))
	for _, v := range m.attr("extmap") {
		if strings.HasSuffix(v, "/abs-send-time") {
			body.line("a=extmap:%s", v)
		}
	}
	// The recvonly/sendonly constructor flags shape generateOffer only:
	// a real KMS answers an offer with the inverted offer direction
	// whatever they say.
	body.line("a=%s", invertDirection(a.offer.direction(m), false, false))
	body.line("a=mid:%s", mid)
	body.line("a=rtcp:9 IN IP4 0.0.0.0")
	for _, c := range keep {
		body.line("a=rtpmap:%s %s", c.pt, c.rtpmap)
	}
	for _, c := range keep {
		for _, fb := range c.fb {
			body.line("a=rtcp-fb:%s %s", c.pt, fb)
		}
	}
	a.setupAndMux(m)
	for _, c := range keep {
		for _, f := range c.fmtp {
			body.line("a=fmtp:%s %s", c.pt, f)
		}
	}
	a.st.transportLines(body, a.s, a.cname)
	return accepted
}

// supportedCodecs are the codecs of an m-line that KMS negotiates.
func supportedCodecs(m *sdpSection) []codec {
	var keep []codec
	for _, c := range m.codecs() {
		if supported(m.kind, c.rtpmap) {
			keep = append(keep, c)
		}
	}
	return keep
}

// setupAndMux writes the setup and rtcp-mux lines of an answered m-line,
// in the order the offer gives them.
func (a *sdpAnswer) setupAndMux(m *sdpSection) {
	setup, mux := "a=setup:"+answerSetup(a.offer, m), ""
	if slices.Contains(m.lines, "a=rtcp-mux") {
		mux = "a=rtcp-mux"
	}
	iSetup := slices.IndexFunc(m.lines, func(l string) bool { return strings.HasPrefix(l, "a=setup:") })
	if iMux := slices.Index(m.lines, "a=rtcp-mux"); iMux >= 0 && iMux < iSetup {
		setup, mux = mux, setup
	}
	a.body.line("%s", setup)
	if mux != "" {
		a.body.line("%s", mux)
	}
}

// answerSetup answers the offer's DTLS role: active for actpass or
// passive, passive for active.
func answerSetup(d *sdpDoc, m *sdpSection) string {
	setup := m.first("setup")
	if setup == "" {
		if v := d.sessionAttr("setup"); len(v) > 0 {
			setup = v[0]
		}
	}
	if setup == "active" {
		return "passive"
	}
	return "active"
}

// ---- generateOffer / processAnswer ----

func generateOffer(x *invocation) (any, *rpcError) {
	s := sdpOf(x.obj)
	if s.local != "" || s.remote != "" {
		return nil, kmsError(kms.CodeSDPAlreadyNegotiated, kms.MsgAlreadyNegotiated)
	}
	audio, video := true, true
	if opts, ok := x.params["options"].(map[string]any); ok {
		if b, ok := opts["offerToReceiveAudio"].(bool); ok {
			audio = b
		}
		if b, ok := opts["offerToReceiveVideo"].(bool); ok {
			video = b
		}
	}
	s.local = x.st.mediaOffer(x.obj, x.st.offerSDP(x.obj, s, audio, video))
	s.offered = true
	return s.local, nil
}

// offerSDP builds an offer like KMS's: RTP/SAVPF, mids audio0/video0,
// actpass, port 1, no candidates.
func (st *state) offerSDP(o *object, s *sdpState, audio, video bool) string {
	s.credentials()
	dir := invertDirection("sendrecv", boolProp(o, "recvonly"), boolProp(o, "sendonly"))
	cname := newCname()
	s.media = nil
	if audio {
		s.media = append(s.media, sdpMedia{kind: "audio", proto: "RTP/SAVPF", mid: "audio0"})
	}
	if video {
		s.media = append(s.media, sdpMedia{kind: "video", proto: "RTP/SAVPF", mid: "video0"})
	}
	if boolProp(o, "useDataChannels") {
		s.media = append(s.media, sdpMedia{kind: "application", proto: "UDP/DTLS/SCTP", mid: "data0"})
	}
	var w sdpWriter
	st.sessionHeader(&w)
	if len(s.media) > 0 {
		mids := make([]string, len(s.media))
		for i, m := range s.media {
			mids[i] = m.mid
		}
		w.line("a=group:BUNDLE %s", strings.Join(mids, " "))
	}
	s.bundle = len(s.media) > 0
	for _, m := range s.media {
		switch m.kind {
		case "audio":
			w.line("m=audio 1 RTP/SAVPF 96 0 8")
			w.line("a=setup:actpass")
			w.line("a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time")
			w.line("a=rtpmap:96 opus/48000/2") // 0 and 8 are static: no rtpmap, as KMS writes it
			w.line("a=rtcp:9 IN IP4 0.0.0.0")
			w.line("a=rtcp-mux")
			w.line("a=%s", dir)
			w.line("a=mid:%s", m.mid)
		case "video":
			w.line("m=video 1 RTP/SAVPF 102 103 104 105")
			w.line("a=setup:actpass")
			w.line("a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time")
			w.line("a=rtpmap:102 AV1/90000")
			w.line("a=fmtp:102 level-idx=5;profile=0;tier=0")
			w.line("a=rtpmap:103 VP9/90000")
			w.line("a=fmtp:103 profile-id=0")
			w.line("a=rtpmap:104 VP8/90000")
			w.line("a=rtpmap:105 H264/90000")
			w.line("a=fmtp:105 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
			w.line("a=rtcp:9 IN IP4 0.0.0.0")
			w.line("a=rtcp-mux")
			w.line("a=%s", dir)
			w.line("a=mid:%s", m.mid)
			for _, pt := range []string{"102", "103", "104", "105"} {
				w.line("a=rtcp-fb:%s nack", pt)
				w.line("a=rtcp-fb:%s nack pli", pt)
				if pt != "105" {
					w.line("a=rtcp-fb:%s goog-remb", pt)
				}
				w.line("a=rtcp-fb:%s ccm fir", pt)
			}
		case "application":
			w.line("m=application 1 UDP/DTLS/SCTP webrtc-datachannel")
			w.line("a=setup:actpass")
			w.line("a=mid:%s", m.mid)
			w.line("a=sctp-port:5000")
			st.transportLines(&w, s, "")
			continue
		}
		st.transportLines(&w, s, cname)
	}
	return w.b.String()
}

func processAnswer(x *invocation) (any, *rpcError) {
	answer := x.str("answer")
	s := sdpOf(x.obj)
	if answer == "" {
		return nil, kmsError(kms.CodeSDPParse, kms.MsgEmptyAnswer)
	}
	if !s.offered {
		return nil, kmsError(kms.CodeSDPNotOfferGenerated, kms.MsgNotOfferGenerated)
	}
	if s.answered {
		return nil, kmsError(kms.CodeSDPAnswerAlreadyProcessed, kms.MsgAnswerAlreadyDone)
	}
	d, ok := parseSDP(answer)
	if !ok {
		return nil, kmsError(kms.CodeSDPParse, kms.MsgInvalidSDP)
	}
	// An answer with more m-lines than the offer cannot be applied; a real
	// KMS takes one with fewer (even none): the missing ones are rejected.
	if len(d.media) > len(s.media) {
		return nil, kmsError(kms.CodeSDPProcessAnswer, "Answer has "+strconv.Itoa(len(d.media))+
			" media sections, the offer has "+strconv.Itoa(len(s.media)))
	}
	s.remote, s.answered = answer, true
	for i := range s.media {
		if i >= len(d.media) || d.media[i].port == "0" {
			s.media[i].rejected = true
		}
	}
	bundled := false
	for _, g := range d.sessionAttr("group") {
		if strings.HasPrefix(g, "BUNDLE ") {
			bundled = true
		}
	}
	s.bundle = s.bundle && bundled
	x.st.mediaAnswered(x.obj, s.local, answer)
	x.st.sessionStarted(x.obj)
	return s.local, nil
}

// sdpMedia is one m-line of the negotiated session.
type sdpMedia struct {
	kind, proto, mid string
	rejected         bool
}
