package client_test

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/kurentotest"
)

func newWebRtc(ctx context.Context, t *testing.T, c *client.Client) *client.Object {
	t.Helper()
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	ep, err := c.CreateObject(ctx, "WebRtcEndpoint", map[string]any{"mediaPipeline": p.ID()})
	require.NoError(t, err)
	return ep
}

func emitCandidate(t *testing.T, srv *kurentotest.Server, id string, n int) {
	t.Helper()
	require.NoError(t, srv.Emit(id, "IceCandidateFound", map[string]any{"candidate": map[string]any{
		"__module__": "kurento", "__type__": "IceCandidate",
		"candidate": "candidate:" + strconv.Itoa(n) + " 1 UDP 2015363327 192.0.2.2 5540 typ host", "sdpMid": "0", "sdpMLineIndex": 0,
	}}))
}

func candidateNumber(t *testing.T, ev event.IceCandidateFound) int {
	t.Helper()
	f := strings.Fields(strings.TrimPrefix(ev.Candidate.Candidate, "candidate:"))
	require.NotEmpty(t, f)
	n, err := strconv.Atoi(f[0])
	require.NoError(t, err)
	return n
}

// TestOrderedStreamKeepsServerOrder: the events of several types of one
// object come out of one stream in the order the server sent them, which
// separate channels do not promise.
func TestOrderedStreamKeepsServerOrder(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	ep := newWebRtc(ctx, t, c)
	sub, err := client.SubscribeEvents(ctx, ep, []string{"IceCandidateFound", "IceGatheringDone"})
	require.NoError(t, err)
	const rounds, per = 20, 50
	for r := range rounds {
		for i := range per {
			emitCandidate(t, srv, ep.ID(), r*per+i)
		}
		require.NoError(t, srv.Emit(ep.ID(), "IceGatheringDone", nil))
	}
	next := 0
	for r := range rounds {
		for range per {
			ev := <-sub.C()
			cand, ok := ev.(event.IceCandidateFound)
			require.True(t, ok, "round %d: got %T before the candidates of the round were all in", r, ev)
			require.Equal(t, next, candidateNumber(t, cand))
			next++
		}
		ev := <-sub.C()
		_, ok := ev.(event.IceGatheringDone)
		require.True(t, ok, "round %d: got %T after the last candidate, want IceGatheringDone", r, ev)
	}
	assert.NoError(t, sub.Err(), "open")
}

// TestIndependentChannelsDoNotBlockEachOther: a subscription nobody reads
// holds back neither another subscription of the same event nor an ordered
// stream on the same object.
func TestIndependentChannelsDoNotBlockEachOther(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	ep := newWebRtc(ctx, t, c)
	unread, err := ep.Subscribe(ctx, "IceCandidateFound")
	require.NoError(t, err)
	read, err := client.SubscribeWith(ctx, ep, "IceCandidateFound", event.DecodeIceCandidateFound)
	require.NoError(t, err)
	stream, err := client.SubscribeEvents(ctx, ep, []string{"IceGatheringDone", "IceCandidateFound"})
	require.NoError(t, err)
	const n = 300
	for i := range n {
		emitCandidate(t, srv, ep.ID(), i)
	}
	for i := range n {
		require.Equal(t, i, candidateNumber(t, <-read.C()))
	}
	for i := range n {
		ev, ok := (<-stream.C()).(event.IceCandidateFound)
		require.True(t, ok)
		require.Equal(t, i, candidateNumber(t, ev))
	}
	assert.Empty(t, unread, "an unbuffered channel; the queue behind it holds the events")
}

// TestSubscriptionEndReasons: every way a channel closes leaves its reason
// in Err, and the ways that are not the consumer's own decision deliver
// what was queued first.
func TestSubscriptionEndReasons(t *testing.T) {
	t.Parallel()
	const queued = 5
	tests := []struct {
		name    string
		end     func(t *testing.T, srv *kurentotest.Server, c *client.Client, obj *client.Object, cancel context.CancelFunc)
		want    error
		drained bool
	}{
		{"ctx", func(_ *testing.T, _ *kurentotest.Server, _ *client.Client, _ *client.Object, cancel context.CancelFunc) {
			cancel()
		}, context.Canceled, false},
		{"released", func(t *testing.T, _ *kurentotest.Server, _ *client.Client, obj *client.Object, _ context.CancelFunc) {
			t.Helper()
			require.NoError(t, obj.Release(testCtx(t)))
		}, client.ErrReleased, true},
		{"session lost", func(_ *testing.T, srv *kurentotest.Server, _ *client.Client, _ *client.Object, _ context.CancelFunc) {
			srv.Restart()
		}, client.ErrSessionLost, true},
		{"closed", func(t *testing.T, _ *kurentotest.Server, c *client.Client, _ *client.Object, _ context.CancelFunc) {
			t.Helper()
			require.NoError(t, c.Close())
		}, client.ErrClosed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := kurentotest.NewServer(t)
			c := dial(t, srv)
			ctx := testCtx(t)
			p, err := c.CreateObject(ctx, "MediaPipeline", nil)
			require.NoError(t, err)
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			sub, err := client.SubscribeWith(sctx, p, "Error", event.DecodeError)
			require.NoError(t, err)
			for i := range queued {
				require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"description": "d", "errorCode": i, "type": "X"}))
			}
			// The last event is in the queue once a later call's reply is
			// in: the server writes in order and the read loop queues in
			// order.
			_, err = c.Describe(ctx, p.ID())
			require.NoError(t, err)
			require.NoError(t, sub.Err(), "still open")
			tt.end(t, srv, c, p, cancel)
			n := 0
			for ev := range sub.C() {
				assert.Equal(t, int32(n), ev.ErrorCode, "in order")
				n++
			}
			require.ErrorIs(t, sub.Err(), tt.want)
			if tt.drained {
				assert.Equal(t, queued, n, "what was queued is delivered before the channel closes")
			}
		})
	}
}

// TestSlowConsumerGetsItsQueueThenTheReason: a subscription whose buffer
// overflows delivers every event that fit, then closes with
// ErrSlowConsumer, which is also reported; another subscription with the
// client's default buffer carries on.
func TestSlowConsumerGetsItsQueueThenTheReason(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	reported := make(chan error, 10)
	c := dial(t, srv, client.WithErrorHandler(func(err error) { reported <- err }))
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	const buffer, sent = 8, 50
	small, err := client.SubscribeWith(ctx, p, "Error", event.DecodeError, client.WithBuffer(buffer))
	require.NoError(t, err)
	other, err := client.SubscribeWith(ctx, p, "Error", event.DecodeError)
	require.NoError(t, err)
	for i := range sent {
		require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"description": "d", "errorCode": i, "type": "X"}))
	}
	_, err = c.Describe(ctx, p.ID()) // every event is in once its reply is
	require.NoError(t, err)
	for i := range sent {
		require.Equal(t, int32(i), (<-other.C()).ErrorCode)
	}
	n := 0
	for ev := range small.C() {
		require.Equal(t, int32(n), ev.ErrorCode)
		n++
	}
	// The delivery goroutine may hold one event taken from the queue.
	assert.GreaterOrEqual(t, n, buffer)
	assert.LessOrEqual(t, n, buffer+1)
	require.ErrorIs(t, small.Err(), client.ErrSlowConsumer)
	require.ErrorIs(t, <-reported, client.ErrSlowConsumer)
	require.NoError(t, other.Err())

	_, err = client.SubscribeWith(ctx, p, "Error", event.DecodeError, client.WithBuffer(0))
	require.ErrorIs(t, err, client.ErrInvalidArgument)
}

// TestSlowConsumerIsLoudByDefault: with neither a logger nor an error
// handler, the overflow is printed on standard error. Not parallel: it
// swaps os.Stderr.
func TestSlowConsumerIsLoudByDefault(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stderr := os.Stderr
	os.Stderr = w
	srv := kurentotest.NewServer(t)
	c, err := client.Dial(testCtx(t), srv.URL())
	os.Stderr = stderr
	require.NoError(t, err)
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	sub, err := client.SubscribeWith(ctx, p, "Error", event.DecodeError, client.WithBuffer(1))
	require.NoError(t, err)
	for i := range 10 {
		require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"description": "d", "errorCode": i, "type": "X"}))
	}
	_, err = c.Describe(ctx, p.ID()) // every event is in once its reply is
	require.NoError(t, err)
	n := 0
	for range sub.C() { // what was queued, until the overflow closes it
		n++
	}
	assert.Positive(t, n)
	require.ErrorIs(t, sub.Err(), client.ErrSlowConsumer)
	require.NoError(t, c.Close())
	require.NoError(t, w.Close())
	line, err := bufio.NewReader(r).ReadString('\n')
	require.NoError(t, err)
	assert.Contains(t, line, "level=ERROR")
	assert.Contains(t, line, "consumer too slow")
	assert.Contains(t, line, p.ID())
}

// TestBurstArrivesCompleteAtDefaults is the burst of the ICE case: 100,000
// IceCandidateFound then one IceGatheringDone on one WebRtcEndpoint, written
// by a server as fast as its socket takes them and read by a consumer that
// only counts, with the default settings. Everything must arrive, in order,
// whatever the machine's load. Under the race detector the burst is
// smaller: the detector slows the client tenfold, not the server.
func TestBurstArrivesCompleteAtDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 events: skipped with -short")
	}
	t.Parallel()
	burst := 100_000
	if raceEnabled {
		burst = 20_000
	}
	const ep = "p1_kurento.MediaPipeline/e1_kurento.WebRtcEndpoint"
	stub := &stubKMS{afterSubscribe: func(_, typ string) [][]byte {
		if typ != "IceGatheringDone" { // the burst follows the second subscribe
			return nil
		}
		frames := make([][]byte, 0, burst+1)
		for i := range burst {
			frames = append(frames, onEventFrame(ep, "IceCandidateFound", map[string]any{"candidate": map[string]any{
				"__module__": "kurento", "__type__": "IceCandidate",
				"candidate": "candidate:" + strconv.Itoa(i) + " 1 UDP 2015363327 192.0.2.2 5540 typ host", "sdpMid": "0", "sdpMLineIndex": 0,
			}}))
		}
		return append(frames, onEventFrame(ep, "IceGatheringDone", map[string]any{}))
	}}
	url := stub.start(t)
	// A generous bound only so that a broken build cannot hang: the test
	// asserts nothing about time.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	sub, err := client.SubscribeEvents(ctx, c.Object("WebRtcEndpoint", ep), []string{"IceCandidateFound", "IceGatheringDone"})
	require.NoError(t, err)
	count, outOfOrder := 0, 0
	for ev := range sub.C() {
		if cand, ok := ev.(event.IceCandidateFound); ok {
			if !strings.HasPrefix(cand.Candidate.Candidate, "candidate:"+strconv.Itoa(count)+" ") {
				outOfOrder++
			}
			count++
			continue
		}
		break // IceGatheringDone
	}
	require.NoError(t, sub.Err(), "the subscription must not have ended")
	assert.Equal(t, burst, count, "candidates before IceGatheringDone")
	assert.Zero(t, outOfOrder)
}
