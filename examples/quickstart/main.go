// Command quickstart walks through the WebRTC signalling of one browser with
// the SDK: it dials Kurento Media Server, negotiates a loopback call from a
// browser's SDP offer, prints the ICE candidates KMS gathers and releases
// everything.
//
// With KURENTO_URL set (e.g. ws://127.0.0.1:8888/kurento) it talks to that
// server; otherwise it starts the SDK's in-process fake KMS, so it runs on a
// machine with nothing installed:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
)

// browserOffer is an offer as a browser sends it for one audio and one video
// track over a single bundled transport. Lines end in CRLF, as SDP requires.
var browserOffer = strings.Join([]string{
	"v=0",
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1",
	"s=-",
	"t=0 0",
	"a=group:BUNDLE 0 1",
	"a=extmap-allow-mixed",
	"a=msid-semantic: WMS stream0",
	"m=audio 9 UDP/TLS/RTP/SAVPF 111",
	"c=IN IP4 0.0.0.0",
	"a=rtcp:9 IN IP4 0.0.0.0",
	"a=ice-ufrag:EsAw",
	"a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y",
	"a=ice-options:trickle",
	"a=fingerprint:sha-256 DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09:DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF",
	"a=setup:actpass",
	"a=mid:0",
	"a=sendrecv",
	"a=msid:stream0 audio0",
	"a=rtcp-mux",
	"a=rtpmap:111 opus/48000/2",
	"a=rtcp-fb:111 transport-cc",
	"a=fmtp:111 minptime=10;useinbandfec=1",
	"a=ssrc:1001 cname:quickstart",
	"m=video 9 UDP/TLS/RTP/SAVPF 96 97",
	"c=IN IP4 0.0.0.0",
	"a=rtcp:9 IN IP4 0.0.0.0",
	"a=ice-ufrag:EsAw",
	"a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y",
	"a=ice-options:trickle",
	"a=fingerprint:sha-256 DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09:DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF",
	"a=setup:actpass",
	"a=mid:1",
	"a=sendrecv",
	"a=msid:stream0 video0",
	"a=rtcp-mux",
	"a=rtcp-rsize",
	"a=rtpmap:96 VP8/90000",
	"a=rtcp-fb:96 goog-remb",
	"a=rtcp-fb:96 transport-cc",
	"a=rtcp-fb:96 ccm fir",
	"a=rtcp-fb:96 nack",
	"a=rtcp-fb:96 nack pli",
	"a=rtpmap:97 rtx/90000",
	"a=fmtp:97 apt=96",
	"a=ssrc-group:FID 2001 2002",
	"a=ssrc:2001 cname:quickstart",
	"a=ssrc:2002 cname:quickstart",
	"",
}, "\r\n")

func main() {
	if err := quickstart(os.Getenv("KURENTO_URL"), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// quickstart connects to the KMS at url, or to the embedded fake when url
// is empty, and runs the walk-through, printing results to stdout and logs
// to stderr.
func quickstart(url string, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if url == "" {
		srv, err := kurentotest.Start()
		if err != nil {
			return fmt.Errorf("start the embedded fake KMS: %w", err)
		}
		defer func() { _ = srv.Close() }()
		url = srv.URL()
		log.Info("KURENTO_URL is not set: using the embedded fake KMS", "url", url)
	}

	// Everything must finish well within this bound.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, url, client.WithLogger(log))
	if err != nil {
		return fmt.Errorf("dial %s: %w", url, err)
	}
	// Close ends the session: KMS frees the objects only this session owned,
	// so nothing leaks even when the walk-through fails half-way.
	defer func() { _ = c.Close() }()
	return walkthrough(ctx, c, stdout)
}

// walkthrough negotiates a loopback call for a browser's offer on c.
func walkthrough(ctx context.Context, c *client.Client, stdout io.Writer) error {
	say := func(format string, args ...any) { _, _ = fmt.Fprintf(stdout, format+"\n", args...) }

	info, err := pipeline.ServerManagerOf(c).GetInfo(ctx)
	if err != nil {
		return fmt.Errorf("server info: %w", err)
	}
	say("connected to Kurento Media Server %s (%s)", info.Version, info.Type)

	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	if err != nil {
		return fmt.Errorf("create pipeline: %w", err)
	}
	say("pipeline %s", p.ID())

	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	if err != nil {
		return fmt.Errorf("create WebRtcEndpoint: %w", err)
	}

	// Subscribe before gathering: Events returns once KMS has acknowledged
	// the subscriptions, so no candidate can slip through. One stream for
	// both types keeps KMS's order: IceGatheringDone comes after the last
	// candidate, which is when a browser is told "end of candidates".
	ice, err := ep.Events(ctx, "IceCandidateFound", "IceGatheringDone")
	if err != nil {
		return fmt.Errorf("subscribe to ICE events: %w", err)
	}

	answer, err := ep.ProcessOffer(ctx, browserOffer)
	if err != nil {
		return fmt.Errorf("process offer: %w", err)
	}
	say("SDP answer (first lines):")
	lines := strings.Split(strings.ReplaceAll(answer, "\r\n", "\n"), "\n")
	for _, l := range lines[:min(6, len(lines))] {
		say("  %s", l)
	}

	// Loopback: the browser receives what it sends.
	if err := ep.Connect(ctx, ep, nil); err != nil {
		return fmt.Errorf("connect loopback: %w", err)
	}

	if err := ep.GatherCandidates(ctx); err != nil {
		return fmt.Errorf("gather candidates: %w", err)
	}
	// A real application sends each candidate to the browser as it comes,
	// and "end of candidates" on IceGatheringDone.
	n := 0
	for gathering := true; gathering; {
		select {
		case ev, ok := <-ice.C():
			if !ok {
				return fmt.Errorf("ICE events ended early: %w", ice.Err())
			}
			switch ev := ev.(type) {
			case event.IceCandidateFound:
				n++
				say("candidate mid=%s %s", ev.Candidate.SdpMid, ev.Candidate.Candidate)
			case event.IceGatheringDone:
				gathering = false
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for ICE candidates: %w", ctx.Err())
		}
	}

	// Releasing the pipeline releases the endpoint in it and ends its event
	// stream (ice.Err() then matches client.ErrReleased).
	if err := p.Release(ctx); err != nil {
		return fmt.Errorf("release pipeline: %w", err)
	}
	say("ICE gathering done: %d candidates; pipeline released", n)
	return nil
}
