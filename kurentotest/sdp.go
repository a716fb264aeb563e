package kurentotest

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// This file holds the (for now minimal) SDP negotiation and ICE behaviour
// of SdpEndpoint and WebRtcEndpoint. It produces syntactically valid SDP
// and candidate events but carries no media.

// sdpState is the negotiation state of an SdpEndpoint, in object.ext.
type sdpState struct {
	local, remote string
	offered       bool // generateOffer done, waiting for an answer
	answered      bool
}

const sdpKey = "sdp"

var sdpVersion atomic.Uint32

func sdpOf(o *object) *sdpState {
	s, ok := o.ext[sdpKey].(*sdpState)
	if !ok {
		s = &sdpState{}
		if o.ext == nil {
			o.ext = map[string]any{}
		}
		o.ext[sdpKey] = s
	}
	return s
}

func init() {
	registerOps("SdpEndpoint", map[string]opFunc{
		"processOffer":  processOffer,
		"generateOffer": generateOffer,
		"processAnswer": processAnswer,
		"getLocalSessionDescriptor": func(x *invocation) (any, *rpcError) {
			s := sdpOf(x.obj)
			if s.local == "" {
				return nil, kmsError(codeNoLocalSDP, "Local SDP not generated")
			}
			return s.local, nil
		},
		"getRemoteSessionDescriptor": func(x *invocation) (any, *rpcError) {
			s := sdpOf(x.obj)
			if s.remote == "" {
				return nil, kmsError(codeNoRemoteSDP, "Remote SDP not received")
			}
			return s.remote, nil
		},
	})
	registerOps("WebRtcEndpoint", map[string]opFunc{
		"gatherCandidates": gatherCandidates,
		"addIceCandidate":  func(*invocation) (any, *rpcError) { return nil, nil },
	})
}

func processOffer(x *invocation) (any, *rpcError) {
	offer := x.str("offer")
	if offer == "" {
		return nil, kmsError(codeSDPParse, "Empty offer not valid")
	}
	s := sdpOf(x.obj)
	if s.local != "" || s.remote != "" {
		return nil, kmsError(codeAlreadyNegotiated, "Endpoint already negotiated")
	}
	media := parseMedia(offer)
	if !strings.HasPrefix(offer, "v=0") || len(media) == 0 {
		return nil, kmsError(codeSDPParse, "Invalid SDP")
	}
	s.remote = offer
	s.local = buildSDP(media, "active")
	return s.local, nil
}

func generateOffer(x *invocation) (any, *rpcError) {
	s := sdpOf(x.obj)
	if s.local != "" || s.remote != "" {
		return nil, kmsError(codeAlreadyNegotiated, "Endpoint already negotiated")
	}
	s.local = buildSDP([]sdpMedia{
		{kind: "audio", proto: "UDP/TLS/RTP/SAVPF", mid: "0"},
		{kind: "video", proto: "UDP/TLS/RTP/SAVPF", mid: "1"},
	}, "actpass")
	s.offered = true
	return s.local, nil
}

func processAnswer(x *invocation) (any, *rpcError) {
	answer := x.str("answer")
	s := sdpOf(x.obj)
	if answer == "" {
		return nil, kmsError(codeSDPParse, "Empty answer not valid")
	}
	if !s.offered {
		return nil, kmsError(codeNotOfferGenerated, "Offer not generated. It is not possible to process an answer.")
	}
	if s.answered {
		return nil, kmsError(codeAnswerAlreadyProcessed, "Sdp Answer already processed")
	}
	if !strings.HasPrefix(answer, "v=0") || len(parseMedia(answer)) == 0 {
		return nil, kmsError(codeSDPParse, "Invalid SDP")
	}
	s.remote, s.answered = answer, true
	return s.local, nil
}

// gatherCandidates answers, then emits one host candidate per m-line and
// IceGatheringDone.
func gatherCandidates(x *invocation) (any, *rpcError) {
	st, id := x.st, x.obj.id
	media := parseMedia(sdpOf(x.obj).local)
	x.cx.after = append(x.cx.after, func() {
		if _, ok := st.objects[id]; !ok {
			return
		}
		for i, m := range media {
			st.emit(id, "IceCandidateFound", map[string]any{
				"candidate": map[string]any{
					"__module__":    "kurento",
					"__type__":      "IceCandidate",
					"candidate":     fmt.Sprintf("candidate:1 1 UDP 2015363327 127.0.0.1 %d typ host", 40000+i),
					"sdpMLineIndex": i,
					"sdpMid":        m.mid,
				},
			})
		}
		st.emit(id, "IceGatheringDone", nil)
	})
	return nil, nil
}

type sdpMedia struct {
	kind, proto, mid string
	formats          []string
}

func parseMedia(sdp string) []sdpMedia {
	var out []sdpMedia
	for line := range strings.SplitSeq(sdp, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "m="):
			f := strings.Fields(line[2:])
			if len(f) < 3 {
				continue
			}
			out = append(out, sdpMedia{kind: f[0], proto: f[2], mid: fmt.Sprint(len(out)), formats: f[3:]})
		case strings.HasPrefix(line, "a=mid:") && len(out) > 0:
			out[len(out)-1].mid = line[len("a=mid:"):]
		}
	}
	return out
}

func buildSDP(media []sdpMedia, setup string) string {
	v := 3900000000 + sdpVersion.Add(1)
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=- %d %d IN IP4 0.0.0.0\r\ns=Kurento Media Server\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n", v, v)
	mids := make([]string, len(media))
	for i, m := range media {
		mids[i] = m.mid
	}
	fmt.Fprintf(&b, "a=group:BUNDLE %s\r\n", strings.Join(mids, " "))
	for _, m := range media {
		switch m.kind {
		case "audio":
			fmt.Fprintf(&b, "m=audio 1 %s 111 0 8\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n", m.proto)
		case "video":
			fmt.Fprintf(&b, "m=video 1 %s 96\r\na=rtpmap:96 VP8/90000\r\n", m.proto)
		default:
			fmt.Fprintf(&b, "m=%s 0 %s %s\r\n", m.kind, m.proto, strings.Join(m.formats, " "))
			fmt.Fprintf(&b, "a=mid:%s\r\n", m.mid)
			continue
		}
		fmt.Fprintf(&b, "a=sendrecv\r\na=mid:%s\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=setup:%s\r\na=rtcp-mux\r\n", m.mid, setup)
		b.WriteString("a=ice-ufrag:kTst\r\na=ice-pwd:kurentotestkurentotest00\r\n")
		b.WriteString("a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n")
	}
	return b.String()
}
