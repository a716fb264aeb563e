package client_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
)

// burstEvents is the size of the ICE burst: IceCandidateFound events, then
// one IceGatheringDone.
const burstEvents = 100_000

// burstEndpoint is the WebRtcEndpoint id the burst server raises events on
// (KMS-shaped, as long as real ids).
const burstEndpoint = "95a6279d-2adc-4444-8af1-29372a2e535c_kurento.MediaPipeline/1bd9c59e-136d-4e26-a6bf-21b67d7590de_kurento.WebRtcEndpoint"

// TestBurstServerProcess is not a test: run as a child process by the
// burst benchmark (KURENTO_BURST_SERVER set), it serves a stub KMS that
// answers the subscribe to IceGatheringDone with the burst, written as fast
// as the socket takes it, prints its URL and serves until stdin closes.
// Keeping the server in another process keeps its CPU out of the client's.
func TestBurstServerProcess(t *testing.T) {
	if os.Getenv("KURENTO_BURST_SERVER") == "" {
		t.Skip("only the burst benchmark's child process runs this")
	}
	frames := make([][]byte, 0, burstEvents+1)
	for i := range burstEvents {
		frames = append(frames, onEventFrame(burstEndpoint, "IceCandidateFound", map[string]any{"candidate": map[string]any{
			"__module__": "kurento", "__type__": "IceCandidate",
			"candidate": "candidate:" + strconv.Itoa(i) + " 1 UDP 2015363327 192.0.2.2 5540 typ host", "sdpMid": "0", "sdpMLineIndex": 0,
		}}))
	}
	frames = append(frames, onEventFrame(burstEndpoint, "IceGatheringDone", map[string]any{}))
	stub := &stubKMS{afterSubscribe: func(object, typ string) [][]byte {
		if object != burstEndpoint || typ != "IceGatheringDone" {
			return nil
		}
		return frames
	}}
	fmt.Println(stub.start(t))
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
}

// startBurstServer runs TestBurstServerProcess in a child process.
func startBurstServer(b *testing.B) string {
	b.Helper()
	cmd := exec.CommandContext(b.Context(), os.Args[0], "-test.run=^TestBurstServerProcess$")
	cmd.Env = append(os.Environ(), "KURENTO_BURST_SERVER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ws://") {
		b.Fatalf("burst server: %q, %v", line, err)
	}
	return strings.TrimSpace(line)
}

// burstResult is what one burst measured.
type burstResult struct {
	received, outOfOrder int
	elapsed              time.Duration
	cpu                  int64 // process CPU, ns
}

func (r burstResult) report(b *testing.B) float64 {
	b.Helper()
	cpuPerEvent := float64(r.cpu) / float64(max(r.received, 1))
	b.ReportMetric(float64(r.received)/r.elapsed.Seconds(), "events/s")
	b.ReportMetric(cpuPerEvent, "cpu-ns/event")
	b.ReportMetric(float64(burstEvents-r.received), "lost")
	b.ReportMetric(float64(r.outOfOrder), "order-violations")
	return cpuPerEvent
}

// checkCandidate counts a candidate received in position n.
func (r *burstResult) checkCandidate(n int, candidate string) {
	if !strings.HasPrefix(candidate, "candidate:"+strconv.Itoa(n)+" ") {
		r.outOfOrder++
	}
	r.received++
}

// burstFloor receives the burst with the floor client: its reader decodes
// the envelope, the consumer decodes the event into a typed struct.
func burstFloor(ctx context.Context, b *testing.B, url string) burstResult {
	b.Helper()
	f, err := dialFloor(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer f.close()
	var res burstResult
	start, cpu := time.Now(), processCPU()
	for _, typ := range []string{"IceCandidateFound", "IceGatheringDone"} {
		if err := f.call(ctx, "subscribe", map[string]string{"object": burstEndpoint, "type": typ, "sessionId": f.session}, nil); err != nil {
			b.Fatal(err)
		}
	}
	for {
		var p struct {
			Value struct {
				Data struct {
					Candidate struct {
						Candidate string `json:"candidate"`
					} `json:"candidate"`
				} `json:"data"`
				Type string `json:"type"`
			} `json:"value"`
		}
		if err := json.Unmarshal(<-f.events, &p); err != nil {
			b.Fatal(err)
		}
		if p.Value.Type != "IceCandidateFound" {
			break
		}
		res.checkCandidate(res.received, p.Value.Data.Candidate.Candidate)
	}
	res.elapsed, res.cpu = time.Since(start), processCPU()-cpu
	return res
}

// burstSDK receives the burst through the SDK with its default settings,
// as an ordered stream of typed events.
func burstSDK(ctx context.Context, b *testing.B, url string) burstResult {
	b.Helper()
	c, err := client.Dial(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = c.Close() }() //nolint:contextcheck // Close takes no context: it ends the client
	var res burstResult
	start, cpu := time.Now(), processCPU()
	sub, err := client.SubscribeEvents(ctx, c.Object("WebRtcEndpoint", burstEndpoint), []string{"IceCandidateFound", "IceGatheringDone"})
	if err != nil {
		b.Fatal(err)
	}
	for ev := range sub.C() {
		cand, ok := ev.(event.IceCandidateFound)
		if !ok {
			break
		}
		res.checkCandidate(res.received, cand.Candidate.Candidate)
	}
	res.elapsed, res.cpu = time.Since(start), processCPU()-cpu
	if err := sub.Err(); err != nil {
		b.Errorf("the burst ended the subscription: %v", err)
	}
	return res
}

// BenchmarkEventBurst is the ICE burst of 100,000 IceCandidateFound and one
// IceGatheringDone from a server in another process, received by the floor
// client and by the SDK at its default settings, side by side. Each
// iteration is one whole burst: run with -benchtime=1x (or Nx). On the
// SDK's line x_floor_cpu is its CPU per event over the floor's.
func BenchmarkEventBurst(b *testing.B) {
	url := startBurstServer(b)
	var floorCPU float64
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			floorCPU = burstFloor(b.Context(), b, url).report(b)
		}
	})
	b.Run("sdk", func(b *testing.B) {
		for b.Loop() {
			if cpu := burstSDK(b.Context(), b, url).report(b); floorCPU > 0 {
				b.ReportMetric(cpu/floorCPU, "x_floor_cpu")
			}
		}
	})
}
