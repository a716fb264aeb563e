//go:build integration

package pool_test

import (
	"context"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/filter"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/pool"
	"github.com/gokurento/kurento/pool/cascade"
	"github.com/gokurento/kurento/types"
)

// testSource is a live test picture: GStreamer's testsrcbin (installed with
// KMS's runtime, gst-plugins-bad) registers the testbin:// scheme, so a
// PlayerEndpoint plays real video without a media file.
const testSource = "testbin://video"

func twoServers(t *testing.T) (string, string) {
	t.Helper()
	a, b := os.Getenv("KURENTO_URL"), os.Getenv("KURENTO_URL_2")
	if a == "" || b == "" {
		t.Skip("KURENTO_URL and KURENTO_URL_2 not both set: the pool's real-server tests need two KMS")
	}
	return a, b
}

// TestIntegrationCascade relays a player on one real KMS to a pipeline on
// the other and waits for the far PassThrough to see video flowing in, over
// plain RTP and over SRTP.
func TestIntegrationCascade(t *testing.T) {
	urlA, urlB := twoServers(t)
	tests := []struct {
		name string
		opts *cascade.Options
	}{
		{"rtp", nil},
		{"srtp", &cascade.Options{Crypto: &types.SDES{
			Crypto: types.CryptoSuiteAes128CmHmacSha1_80,
			Key:    "0123456789abcdef0123456789abcd", // 16-byte key and 14-byte salt
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { relayAcross(t, urlA, urlB, tt.opts) })
	}
}

func relayAcross(t *testing.T, urlA, urlB string, opts *cascade.Options) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	p, err := pool.New(ctx, pool.Static(urlA, urlB))
	require.NoError(t, err)
	defer func() { _ = p.Close() }()
	for _, s := range p.Servers() {
		require.Equal(t, pool.StateReady, s.State, s.URL)
		require.True(t, s.Eligible, s.URL)
		t.Logf("%s: %d pipelines, CPU %.1f %%, memory %d KiB", s.URL, s.Load.Pipelines, s.Load.CPU, s.Load.Memory)
	}

	src, err := p.Place(ctx, "broadcast")
	require.NoError(t, err)
	defer src.Release()
	// The viewers go elsewhere: drain the source's server for them.
	require.NoError(t, p.Drain(src.URL()))
	far, err := p.Place(ctx, "broadcast/viewers")
	require.NoError(t, err)
	defer far.Release()
	require.NoError(t, p.Undrain(src.URL()))
	require.NotEqual(t, src.URL(), far.URL())

	pa, err := pipeline.NewMediaPipeline(ctx, src.Client(), nil)
	require.NoError(t, err)
	defer func() { _ = pa.Release(context.WithoutCancel(ctx)) }()
	pb, err := pipeline.NewMediaPipeline(ctx, far.Client(), nil)
	require.NoError(t, err)
	defer func() { _ = pb.Release(context.WithoutCancel(ctx)) }()

	player, err := endpoint.NewPlayerEndpoint(ctx, pa, testSource, nil)
	require.NoError(t, err)
	link, err := cascade.Relay(ctx, player, pb, opts)
	require.NoError(t, err)
	defer func() { _ = link.Close(context.WithoutCancel(ctx)) }()
	offer, err := link.Near().GetLocalSessionDescriptor(ctx)
	require.NoError(t, err)
	if opts != nil && opts.Crypto != nil {
		require.Contains(t, offer, "a=crypto:", "SDES keys in the offer")
	} else {
		require.NotContains(t, offer, "a=crypto:")
	}
	viewer, err := filter.NewPassThrough(ctx, pb, nil)
	require.NoError(t, err)
	flow, err := viewer.OnMediaFlowInStateChanged(ctx)
	require.NoError(t, err)
	require.NoError(t, link.Source().Connect(ctx, viewer, nil))
	require.NoError(t, player.Play(ctx))

	for {
		select {
		case ev := <-flow:
			t.Logf("far side: %s %s", ev.MediaType, ev.State)
			if ev.State != types.MediaFlowStateFlowing || ev.MediaType != types.MediaTypeVideo {
				continue
			}
		case <-ctx.Done():
			t.Fatal("no media reached the far pipeline")
		}
		break
	}
	flowing, err := viewer.IsMediaFlowingIn(ctx, types.MediaTypeVideo, nil)
	require.NoError(t, err)
	assert.True(t, flowing)

	// Lifetimes are tied: releasing the far pipeline releases the near end.
	nearID := link.Near().ID()
	require.NoError(t, pb.Release(ctx))
	select {
	case <-link.Done():
	case <-ctx.Done():
		t.Fatal("the link did not end with its far pipeline")
	}
	_, err = src.Client().Describe(ctx, nearID)
	require.ErrorIs(t, err, client.ErrObjectNotFound, "near endpoint released")
}

// ownKMS starts a KMS of the test's own through KURENTO_KMS_SH on a free
// port of KMS_PORT_RANGE, so killing it disturbs no other test.
func ownKMS(t *testing.T) (url string, stop, start func()) {
	t.Helper()
	sh := os.Getenv("KURENTO_KMS_SH")
	if sh == "" {
		t.Skip("KURENTO_KMS_SH not set: no way to start a KMS this test may kill")
	}
	lo, hi := 20000, 29999
	if r := os.Getenv("KMS_PORT_RANGE"); r != "" {
		a, b, ok := strings.Cut(r, "-")
		l, err1 := strconv.Atoi(a)
		h, err2 := strconv.Atoi(b)
		require.True(t, ok && err1 == nil && err2 == nil && l <= h, "KMS_PORT_RANGE %q", r)
		lo, hi = l, h
	}
	run := func(args ...string) (string, error) {
		out, err := exec.CommandContext(context.WithoutCancel(t.Context()), "bash", append([]string{sh}, args...)...).Output()
		return strings.TrimSpace(string(out)), err
	}
	for range 20 {
		port := lo + rand.IntN(hi-lo+1)
		if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			_ = c.Close()
			continue
		}
		u, err := run("start", strconv.Itoa(port))
		if err != nil {
			continue
		}
		p := strconv.Itoa(port)
		t.Cleanup(func() { _, _ = run("stop", p) })
		return u, func() { _, err := run("stop", p); require.NoError(t, err) },
			func() { _, err := run("start", p); require.NoError(t, err) }
	}
	t.Fatalf("no free port for a KMS in %d-%d", lo, hi)
	return "", nil, nil
}

// TestIntegrationFailover kills a real KMS holding keys: restarted at once,
// its keys fail over as session lost; left dead, as unreachable after
// WithLostAfter. The logged durations are the README's failover figures.
func TestIntegrationFailover(t *testing.T) {
	urlA, _ := twoServers(t)
	own, stop, start := ownKMS(t)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	onOwn := pool.WithPolicy(pool.PolicyFunc(func(c pool.Candidate) (float64, bool) { return 0, c.URL == own }))
	newPool := func(lostAfter time.Duration) (*pool.Pool, <-chan pool.Failover) {
		p, err := pool.New(ctx, pool.Static(own, urlA), pool.WithLostAfter(lostAfter), onOwn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		return p, p.Failovers(ctx)
	}
	place := func(p *pool.Pool, key string) *pool.Placement {
		pl, err := p.Place(ctx, key)
		require.NoError(t, err)
		t.Cleanup(pl.Release)
		require.Equal(t, own, pl.URL())
		_, err = pipeline.NewMediaPipeline(ctx, pl.Client(), nil)
		require.NoError(t, err)
		return pl
	}
	wait := func(fo <-chan pool.Failover, want pool.Reason, key string, from time.Time) time.Duration {
		select {
		case f := <-fo:
			require.Equal(t, key, f.Key)
			require.Equal(t, want, f.Reason, "err %v", f.Err)
			return f.At.Sub(from)
		case <-ctx.Done():
			t.Fatalf("no %s failover for %s", want, key)
			return 0
		}
	}

	// Restarted: long enough a lost-after that the restart comes first.
	p1, fo1 := newPool(time.Minute)
	k1 := place(p1, "restarted")
	died := time.Now()
	stop()
	stopped := time.Now()
	start()
	restarted := time.Now()
	d := wait(fo1, pool.ReasonSessionLost, k1.Key(), died)
	t.Logf("killed and restarted: failover %v after the kill began (stop took %v, start %v)",
		d, stopped.Sub(died), restarted.Sub(stopped))
	<-k1.Lost()
	require.NoError(t, p1.Close())

	// Left dead.
	const lostAfter = time.Second
	p2, fo2 := newPool(lostAfter)
	k2 := place(p2, "abandoned")
	died = time.Now()
	stop()
	d = wait(fo2, pool.ReasonUnreachable, k2.Key(), died)
	t.Logf("killed and left dead: failover %v after the kill began (lost-after %v)", d, lostAfter)

	// New keys go to the live server meanwhile.
	other, err := pool.New(ctx, pool.Static(own, urlA), pool.WithDialTimeout(2*time.Second))
	require.NoError(t, err)
	defer func() { _ = other.Close() }()
	pl, err := other.Place(ctx, "elsewhere")
	require.NoError(t, err)
	defer pl.Release()
	assert.Equal(t, urlA, pl.URL())
}
