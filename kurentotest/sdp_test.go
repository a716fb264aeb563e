package kurentotest_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readSDP(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/real-kms/" + name)
	require.NoError(t, err)
	return string(b)
}

// maskSDP hides the values a server picks at random.
var sdpMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^o=- \d+ \d+ `), "o=- N N "},
	{regexp.MustCompile(`(?m)^a=ssrc:\d+ cname:\S+`), "a=ssrc:N cname:C"},
	{regexp.MustCompile(`(?m)^a=ice-ufrag:\S+`), "a=ice-ufrag:U"},
	{regexp.MustCompile(`(?m)^a=ice-pwd:\S+`), "a=ice-pwd:P"},
	{regexp.MustCompile(`(?m)^a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}`), "a=fingerprint:sha-256 F"},
}

func maskSDP(s string) string {
	for _, m := range sdpMasks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

func TestProcessOfferAnswerShape(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	r, _ := invoke(t, w, ep, "processOffer", `{"offer":`+jsonString(t, readSDP(t, "g_offer.sdp"))+`}`)
	answer, ok := value(t, r).(string)
	require.True(t, ok, r)
	// Line for line the answer a real KMS 7.3 gave to the same offer.
	assert.Equal(t, maskSDP(readSDP(t, "g_answer.sdp")), maskSDP(answer))
	assert.NotContains(t, answer, "a=candidate")
	assert.NotContains(t, answer, "rtx/")

	r, _ = invoke(t, w, ep, "getLocalSessionDescriptor", "")
	assert.Equal(t, answer, value(t, r))
	r, _ = invoke(t, w, ep, "getRemoteSessionDescriptor", "")
	assert.Equal(t, readSDP(t, "g_offer.sdp"), value(t, r))

	// Same ICE credentials and fingerprint on every m-line, fresh ones
	// (not the offer's).
	ufrags := regexp.MustCompile(`a=ice-ufrag:(\S+)`).FindAllStringSubmatch(answer, -1)
	require.Len(t, ufrags, 2)
	assert.Equal(t, ufrags[0][1], ufrags[1][1])
	assert.NotEqual(t, "hZqm", ufrags[0][1])
	assert.NotContains(t, answer, "8A:3C:5E:71")
}

func TestSDPDirectionsAndRejection(t *testing.T) {
	t.Parallel()
	offer := func(dir string, extra string) string {
		return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a v" + extra + "\r\n" +
			"m=audio 9 UDP/TLS/RTP/SAVPF 9 13\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\na=" + dir + "\r\na=rtcp-mux\r\na=setup:actpass\r\na=rtpmap:9 G722/8000\r\na=rtpmap:13 CN/8000\r\n" +
			"m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:v\r\na=" + dir + "\r\na=rtcp-mux\r\na=setup:actpass\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
	}
	// A real KMS answers with the inverted offer direction on every
	// m-line, rejected ones included; the recvonly/sendonly constructor
	// flags do not change the answer.
	for _, tt := range []struct {
		name, dir, ctor, want string
	}{
		{name: "sendonly offer", dir: "sendonly", want: "recvonly"},
		{name: "recvonly offer", dir: "recvonly", want: "sendonly"},
		{name: "sendrecv offer", dir: "sendrecv", want: "sendrecv"},
		{name: "inactive offer", dir: "inactive", want: "inactive"},
		{name: "recvonly endpoint", dir: "sendrecv", ctor: `,"recvonly":true`, want: "sendrecv"},
		{name: "sendonly endpoint", dir: "sendrecv", ctor: `,"sendonly":true`, want: "sendrecv"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := newTarget(t)
			w, _, pipe := session(t, tg)
			ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"`+tt.ctor+`}`)
			r, _ := invoke(t, w, ep, "processOffer", `{"offer":`+jsonString(t, offer(tt.dir, ""))+`}`)
			answer, ok := value(t, r).(string)
			require.True(t, ok, r)
			// Audio offers only codecs KMS does not take: rejected (port 0,
			// the first format only, no rtpmap), out of the bundle, but laid
			// out like an accepted m-line. rtcp-mux and setup keep the
			// offer's order; rtx is dropped.
			transport := "a=ssrc:N cname:C\r\na=ice-ufrag:U\r\na=ice-pwd:P\r\na=fingerprint:sha-256 F\r\n"
			assert.Equal(t, "v=0\r\no=- N N IN IP4 0.0.0.0\r\ns=Kurento Media Server\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=group:BUNDLE v\r\n"+
				"m=audio 0 UDP/TLS/RTP/SAVPF 9\r\na="+tt.want+"\r\na=mid:a\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=rtcp-mux\r\na=setup:active\r\n"+transport+
				"m=video 1 UDP/TLS/RTP/SAVPF 96\r\na="+tt.want+"\r\na=mid:v\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\na=rtcp-mux\r\na=setup:active\r\n"+transport,
				maskSDP(answer))
		})
	}
}

func TestSDPErrors(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	offer := jsonString(t, readSDP(t, "g_offer.sdp"))
	errFrame := func(code int, typ, msg string) string {
		return `{"error":{"code":` + itoa(code) + `,"data":{"type":"` + typ + `"},"message":"` + msg + `"}`
	}
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	r, _ := invoke(t, w, ep, "getLocalSessionDescriptor", "")
	assert.Contains(t, r, errFrame(40202, "SDP_END_POINT_NO_LOCAL_SDP_ERROR", "No local SDP"))
	r, _ = invoke(t, w, ep, "getRemoteSessionDescriptor", "")
	assert.Contains(t, r, errFrame(40203, "SDP_END_POINT_NO_REMOTE_SDP_ERROR", "No remote SDP"))
	r, _ = invoke(t, w, ep, "processOffer", `{"offer":"this is not sdp"}`)
	assert.Contains(t, r, errFrame(40201, "SDP_PARSE_ERROR", "Invalid SDP"))
	r, _ = invoke(t, w, ep, "processOffer", `{"offer":""}`)
	assert.Contains(t, r, errFrame(40201, "SDP_PARSE_ERROR", "Empty offer not valid"))
	r, _ = invoke(t, w, ep, "processAnswer", `{"answer":`+offer+`}`)
	assert.Contains(t, r, errFrame(40209, "SDP_END_POINT_NOT_OFFER_GENERATED", "Offer not generated. It is not possible to process an answer."))
	r, _ = invoke(t, w, ep, "processOffer", `{"offer":`+offer+`}`)
	require.Contains(t, r, `"result"`)
	r, _ = invoke(t, w, ep, "processOffer", `{"offer":`+offer+`}`)
	assert.Contains(t, r, errFrame(40208, "SDP_END_POINT_ALREADY_NEGOTIATED", "Endpoint already negotiated"))
	r, _ = invoke(t, w, ep, "generateOffer", "")
	assert.Contains(t, r, errFrame(40208, "SDP_END_POINT_ALREADY_NEGOTIATED", "Endpoint already negotiated"))

	// generateOffer, then answers.
	ep2 := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	r, _ = invoke(t, w, ep2, "generateOffer", "")
	local, ok := value(t, r).(string)
	require.True(t, ok, r)
	r, _ = invoke(t, w, ep2, "getRemoteSessionDescriptor", "")
	assert.Contains(t, r, `"code":40203`)
	r, _ = invoke(t, w, ep2, "processAnswer", `{"answer":""}`)
	assert.Contains(t, r, errFrame(40201, "SDP_PARSE_ERROR", "Empty answer not valid"))
	// An answer mirroring the offer (the peer's view does not matter here).
	answer := strings.ReplaceAll(local, "a=setup:actpass", "a=setup:active")
	r, _ = invoke(t, w, ep2, "processAnswer", `{"answer":`+jsonString(t, answer)+`}`)
	assert.Equal(t, local, value(t, r))
	r, _ = invoke(t, w, ep2, "processAnswer", `{"answer":`+jsonString(t, answer)+`}`)
	assert.Contains(t, r, `{"error":{"code":40210,"data":{"type":"SDP_END_POINT_ANSWER_ALREADY_PROCCESED"}`)
}

func TestGenerateOfferShapeAndOptions(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	r, _ := invoke(t, w, ep, "generateOffer", "")
	offer, ok := value(t, r).(string)
	require.True(t, ok, r)
	// Line for line the offer a real KMS 7.3 generated.
	assert.Equal(t, maskSDP(readSDP(t, "g_generated_offer.sdp")), maskSDP(offer))
	assert.True(t, strings.HasPrefix(offer, "v=0\r\no=- "), offer)
	assert.Contains(t, offer, "\r\ns=Kurento Media Server\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=group:BUNDLE audio0 video0\r\nm=audio 1 RTP/SAVPF 96 0 8\r\na=setup:actpass\r\n")
	assert.Contains(t, offer, "\r\nm=video 1 RTP/SAVPF 102 103 104 105\r\na=setup:actpass\r\n")
	assert.Contains(t, offer, "a=rtpmap:104 VP8/90000\r\n")
	assert.Contains(t, offer, "a=mid:video0\r\n")

	// The recvonly/sendonly constructor flags set the offer's direction
	// on every m-line; the ssrc lines stay.
	for flag, dir := range map[string]string{"recvonly": "a=recvonly", "sendonly": "a=sendonly"} {
		e := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`","`+flag+`":true}`)
		r, _ = invoke(t, w, e, "generateOffer", "")
		o, ok := value(t, r).(string)
		require.True(t, ok, r)
		assert.Equal(t, strings.ReplaceAll(maskSDP(readSDP(t, "g_generated_offer.sdp")), "a=sendrecv", dir), maskSDP(o), flag)
	}

	if tg.fake == nil {
		return // the options' effect is the fake's reading of the IDL
	}
	ep2 := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	r, _ = invoke(t, w, ep2, "generateOffer", `{"options":{"offerToReceiveVideo":false}}`)
	offer, ok = value(t, r).(string)
	require.True(t, ok, r)
	assert.Contains(t, offer, "a=group:BUNDLE audio0\r\n")
	assert.NotContains(t, offer, "m=video")
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSDPVersionPerServer: every fake counts the session versions of its
// own descriptions (o= line), whatever other fakes of the process do, so
// that parallel tests see the same SDPs run after run.
func TestSDPVersionPerServer(t *testing.T) {
	t.Parallel()
	if realServer != nil {
		t.Skip("fake only: the versions a real KMS picks are its own")
	}
	version := func(sdp string) string {
		m := regexp.MustCompile(`(?m)^o=- (\d+) `).FindStringSubmatch(sdp)
		require.NotNil(t, m, sdp)
		return m[1]
	}
	first := func() string {
		w, _, pipe := session(t, newTarget(t))
		ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
		r, _ := invoke(t, w, ep, "generateOffer", "")
		offer, ok := value(t, r).(string)
		require.True(t, ok, r)
		return version(offer)
	}
	a := first()
	busy := newTarget(t)
	w, _, pipe := session(t, busy)
	for range 3 {
		ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
		invoke(t, w, ep, "generateOffer", "")
	}
	assert.Equal(t, a, first(), "a new server starts its own count")
	assert.Equal(t, "4000000001", a)
}

// TestProcessOfferWithoutMedia: KMS 7.3.1 answers an offer without
// m-lines that has a version line (whatever the rest holds) with its
// session lines alone, starts the session and gathers nothing; an offer
// without a version line stays Invalid SDP.
func TestProcessOfferWithoutMedia(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	const bare = "v=0\r\no=- N N IN IP4 0.0.0.0\r\ns=Kurento Media Server\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
	for _, offer := range []string{"v=0\r\n", "v=0", "v=0\n", "v=1\r\n", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "garbage\r\nv=0\r\n", "v=0\r\nthis is not sdp\r\n"} {
		ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
		for _, ev := range []string{"MediaSessionStarted", "IceComponentStateChanged", "IceCandidateFound", "IceGatheringDone"} {
			subscribe(t, w, ep, ev)
		}
		r, evs := w.until(invokeFrame(ep, "processOffer", `{"offer":`+jsonString(t, offer)+`}`), func(_ string, evs []string) bool {
			return len(evs) > 0
		})
		answer, ok := value(t, r).(string)
		require.True(t, ok, "%q: %s", offer, r)
		assert.Equal(t, bare, maskSDP(answer), "%q", offer)
		require.Len(t, evs, 1, "%q", offer)
		assert.Equal(t, "MediaSessionStarted", parseEvent(t, evs[0]).Type, "%q", offer)
		r, _ = invoke(t, w, ep, "getLocalSessionDescriptor", "")
		assert.Equal(t, answer, value(t, r), "%q", offer)
		// gatherCandidates is answered and brings no event.
		r, evs = invoke(t, w, ep, "gatherCandidates", "")
		assert.Contains(t, r, `"result"`)
		_, more := w.request(`{"jsonrpc":"2.0","id":"` + nid() + `","method":"ping"}`)
		assert.Empty(t, append(evs, more...), "%q", offer)
	}
	for _, offer := range []string{"t=0 0\r\n", "x=0\r\n", "this is not sdp"} {
		ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
		r, _ := invoke(t, w, ep, "processOffer", `{"offer":`+jsonString(t, offer)+`}`)
		assert.Contains(t, r, `{"error":{"code":40201,"data":{"type":"SDP_PARSE_ERROR"},"message":"Invalid SDP"}`, "%q", offer)
	}
}
