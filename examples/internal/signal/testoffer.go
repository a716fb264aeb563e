package signal

import "strings"

// TestOffer is an offer as Chromium writes it for a camera and a
// microphone (sendrecv, bundled, trickle ICE): the programs' tests play a
// browser with it.
var TestOffer = strings.Join([]string{
	"v=0",
	"o=- 3141592653589793238 2 IN IP4 127.0.0.1",
	"s=-",
	"t=0 0",
	"a=group:BUNDLE 0 1",
	"a=extmap-allow-mixed",
	"a=msid-semantic: WMS cam",
	"m=audio 9 UDP/TLS/RTP/SAVPF 111",
	"c=IN IP4 0.0.0.0",
	"a=rtcp:9 IN IP4 0.0.0.0",
	"a=ice-ufrag:Tz9q",
	"a=ice-pwd:Lk2vN8rP0sQ4uW6yA1cE3gI5",
	"a=ice-options:trickle",
	"a=fingerprint:sha-256 3C:5E:11:90:AB:7D:42:0F:6E:D1:88:23:C4:9A:5B:0E:7F:31:D6:A2:9C:44:18:E7:B0:2D:6A:5F:C3:81:09:F4",
	"a=setup:actpass",
	"a=mid:0",
	"a=sendrecv",
	"a=msid:cam mic",
	"a=rtcp-mux",
	"a=rtpmap:111 opus/48000/2",
	"a=fmtp:111 minptime=10;useinbandfec=1",
	"m=video 9 UDP/TLS/RTP/SAVPF 96",
	"c=IN IP4 0.0.0.0",
	"a=rtcp:9 IN IP4 0.0.0.0",
	"a=ice-ufrag:Tz9q",
	"a=ice-pwd:Lk2vN8rP0sQ4uW6yA1cE3gI5",
	"a=ice-options:trickle",
	"a=fingerprint:sha-256 3C:5E:11:90:AB:7D:42:0F:6E:D1:88:23:C4:9A:5B:0E:7F:31:D6:A2:9C:44:18:E7:B0:2D:6A:5F:C3:81:09:F4",
	"a=setup:actpass",
	"a=mid:1",
	"a=sendrecv",
	"a=msid:cam camera",
	"a=rtcp-mux",
	"a=rtcp-rsize",
	"a=rtpmap:96 VP8/90000",
	"a=rtcp-fb:96 nack",
	"a=rtcp-fb:96 nack pli",
	"a=rtcp-fb:96 goog-remb",
	"",
}, "\r\n")

// TestCandidate is a browser host candidate for TestOffer.
var TestCandidate = Candidate{
	Candidate: "candidate:842163049 1 udp 2122260223 192.0.2.7 50312 typ host generation 0",
	SdpMid:    "0",
}
