package kurentotest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// This file holds what is particular to RTP endpoints: the SDES master
// key of an RtpEndpoint (checked at creation, written in its SDP), the
// loopback sockets of its real media, and the bandwidth setter that KMS
// 7.3 takes without effect. The SDP negotiation they share with
// WebRtcEndpoint is in sdp.go.

func rtpEndpointBehaviour() behaviour {
	return behaviour{
		name: "RTP endpoints",
		defaults: []propertyDefault{
			{class: "BaseRtpEndpoint", prop: "maxVideoSendBandwidth", value: json.Number("500")},
			{class: "BaseRtpEndpoint", prop: "minVideoSendBandwidth", value: json.Number("100")},
			{class: "BaseRtpEndpoint", prop: "minVideoRecvBandwidth", value: json.Number("100")},
			{class: "BaseRtpEndpoint", prop: "mtu", value: json.Number("1200")},
			{class: "BaseRtpEndpoint", prop: "mediaState", value: "DISCONNECTED"},
			{class: "BaseRtpEndpoint", prop: "connectionState", value: "DISCONNECTED"},
		},
		ops: []classOp{{
			class: "BaseRtpEndpoint", op: "setMinVideoRecvBandwidth",
			// KMS 7.3 accepts this setter and keeps answering the default 100.
			fn: func(*invocation) (any, *rpcError) { return nil, nil },
		}},
		createChecks: []createCheck{{class: "RtpEndpoint", fn: checkSDES}},
		transports: []transport{{
			class: "RtpEndpoint",
			answer: func(st *state, o *object, offer, answer string) string {
				answer = st.mediaRTPSockets(o, answer)
				st.mediaRTPRemote(o, answer, offer)
				return answer
			},
			offer:    (*state).mediaRTPSockets,
			answered: (*state).mediaRTPRemote,
		}},
	}
}

// checkSDES checks an RtpEndpoint's SDES master key like KMS: with a crypto
// suite named, the key (or, without key, the decoded keyBase64) must have
// the suite's size, 30 bytes for AES_128 and 46 for AES_256.
func checkSDES(vals map[string]any) *rpcError {
	sdes, _ := vals["crypto"].(map[string]any)
	suite, _ := sdes["crypto"].(string)
	if suite == "" {
		return nil
	}
	want := 30
	if strings.HasPrefix(suite, "AES_256") {
		want = 46
	}
	size := -1
	if k, ok := sdes["key"].(string); ok {
		size = len(k)
	} else if k, ok := sdes["keyBase64"].(string); ok {
		b, err := base64.StdEncoding.DecodeString(k)
		if err == nil {
			size = len(b)
		}
	} else {
		return nil
	}
	if size != want {
		return kmsError(kms.CodeIllegalParam, kms.MsgMasterKeySizeWrong)
	}
	return nil
}

// ---- with real media ([WithMedia]) ----

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
