package endpoint_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

// browserOffer is a browser's offer for one audio and one video track over
// one bundled transport.
const browserOffer = "v=0\r\n" +
	"o=- 7069131413355812741 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=group:BUNDLE 0 1\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=ice-ufrag:Yq3t\r\n" +
	"a=ice-pwd:7cS1wQ0a9ZbMfLkqU4nV2xPe\r\n" +
	"a=fingerprint:sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:0\r\n" +
	"a=sendrecv\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtpmap:111 opus/48000/2\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=ice-ufrag:Yq3t\r\n" +
	"a=ice-pwd:7cS1wQ0a9ZbMfLkqU4nV2xPe\r\n" +
	"a=fingerprint:sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:1\r\n" +
	"a=sendrecv\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtpmap:96 VP8/90000\r\n"

// start starts the fake KMS the examples run against. A real application
// dials its KMS, e.g. ws://127.0.0.1:8888/kurento.
func start() *kurentotest.Server {
	srv, err := kurentotest.Start()
	check(err)
	return srv
}

// closeAll closes the client, then the server.
func closeAll(c *client.Client, srv *kurentotest.Server) {
	check(c.Close())
	check(srv.Close())
}

// check stops the example on an error; real code returns it.
func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// This example relays ICE candidates between a browser and KMS: KMS's
// candidates arrive on a channel and go to the browser; the browser's go to
// AddIceCandidate.
func ExampleWebRtcEndpoint_Events() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := start()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)

	// Subscribe first: Events returns once KMS has acknowledged, so no
	// candidate gathered afterwards can be missed. One stream of both
	// types keeps the server's order: IceGatheringDone follows the last
	// candidate.
	ice, err := ep.Events(ctx, "IceCandidateFound", "IceGatheringDone")
	check(err)
	_, err = ep.ProcessOffer(ctx, browserOffer)
	check(err)
	check(ep.GatherCandidates(ctx))

	// Trickle ICE the other way: each candidate the browser reports.
	check(ep.AddIceCandidate(ctx, types.IceCandidate{
		Candidate:     "candidate:1 1 udp 2122260223 192.0.2.10 54400 typ host",
		SdpMid:        "0",
		SdpMLineIndex: 0,
	}))

	perMid := map[string]int{}
	for ev := range ice.C() {
		switch ev := ev.(type) {
		case event.IceCandidateFound:
			perMid[ev.Candidate.SdpMid]++ // a real server sends ev.Candidate to the browser
		case event.IceGatheringDone:
			// A real server tells the browser: end of candidates.
			check(p.Release(ctx)) // ends the stream
		}
	}
	fmt.Println("candidates for mid 0:", perMid["0"] > 0)
	fmt.Println("candidates for mid 1:", perMid["1"] > 0)
	// Output:
	// candidates for mid 0: true
	// candidates for mid 1: true
}

// This example records what a browser sends. KMS starts writing when media
// arrives, which the fake server simulates here with SimulateMediaFlow.
func ExampleRecorderEndpoint_Record() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := start()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	defer func() { check(p.Release(ctx)) }()

	browser, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)
	_, err = browser.ProcessOffer(ctx, browserOffer)
	check(err)
	rec, err := endpoint.NewRecorderEndpoint(ctx, p, "file:///tmp/browser.webm",
		&endpoint.RecorderEndpointOptions{MediaProfile: types.MediaProfileSpecTypeWebm})
	check(err)
	check(browser.Connect(ctx, rec, nil))

	recording, err := rec.OnRecording(ctx)
	check(err)
	stopped, err := rec.OnStopped(ctx)
	check(err)

	check(rec.Record(ctx))
	state, err := rec.GetState(ctx)
	check(err)
	fmt.Println("before media:", state)

	check(srv.SimulateMediaFlow(browser.ID())) // the browser's media arrives
	<-recording
	state, err = rec.GetState(ctx)
	check(err)
	fmt.Println("recording:", state)

	// StopAndWait returns once the file is complete.
	check(rec.StopAndWait(ctx))
	<-stopped
	state, err = rec.GetState(ctx)
	check(err)
	fmt.Println("stopped:", state)
	// Output:
	// before media: STOP
	// recording: START
	// stopped: STOP
}
