package pool_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/pool"
	"github.com/gokurento/kurento/rpc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fast keeps the tests quick: a tiny CPU window, quick reconnects.
func fast(extra ...pool.Option) []pool.Option {
	return append([]pool.Option{
		pool.WithRefresh(pool.Refresh{CPUWindow: time.Millisecond}),
		pool.WithClientOptions(client.WithBackoff(client.Backoff{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond})),
	}, extra...)
}

func fakes(t *testing.T, n int) ([]*kurentotest.Server, []string) {
	t.Helper()
	srvs := make([]*kurentotest.Server, n)
	urls := make([]string, n)
	for i := range srvs {
		srvs[i] = kurentotest.NewServer(t)
		urls[i] = srvs[i].URL()
	}
	return srvs, urls
}

func newPool(t *testing.T, d pool.Discovery, opts ...pool.Option) (context.Context, *pool.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	p, err := pool.New(ctx, d, fast(opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return ctx, p
}

func keysOn(p *pool.Pool) map[string]int {
	out := map[string]int{}
	for _, s := range p.Servers() {
		out[s.URL] = s.Keys
	}
	return out
}

func TestPlaceSpreadsKeys(t *testing.T) {
	_, urls := fakes(t, 3)
	ctx, p := newPool(t, pool.Static(urls...))
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		pl, err := p.Place(ctx, k)
		require.NoError(t, err)
		t.Cleanup(pl.Release)
	}
	// Each placement counts as a pipeline until the next read, so six keys
	// on three idle servers go two by two.
	for _, u := range urls {
		assert.Equal(t, 2, keysOn(p)[u], u)
	}
}

func TestPlaceAvoidsLoadedServer(t *testing.T) {
	srvs, urls := fakes(t, 2)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	// Another application already runs three pipelines on the first server.
	other, err := client.Dial(ctx, urls[0])
	require.NoError(t, err)
	defer func() { _ = other.Close() }()
	for range 3 {
		_, err := pipeline.NewMediaPipeline(ctx, other, nil)
		require.NoError(t, err)
	}
	_ = srvs
	ctx, p := newPool(t, pool.Static(urls...))
	var got []string
	for _, k := range []string{"a", "b", "c", "d"} {
		pl, err := p.Place(ctx, k)
		require.NoError(t, err)
		defer pl.Release()
		got = append(got, pl.URL())
	}
	// The second server takes the first three keys; then both hold three.
	assert.Equal(t, []string{urls[1], urls[1], urls[1]}, got[:3])
	st := p.Servers()
	require.Len(t, st, 2)
	for _, s := range st {
		assert.Equal(t, pool.StateReady, s.State)
		assert.NotEmpty(t, s.ServerID)
		assert.False(t, s.Load.At.IsZero(), "load was read")
	}
}

func TestStickyWhileHeld(t *testing.T) {
	_, urls := fakes(t, 2)
	ctx, p := newPool(t, pool.Static(urls...))
	first, err := p.Place(ctx, "room")
	require.NoError(t, err)
	// The room's own pipeline makes its server the busier one.
	_, err = pipeline.NewMediaPipeline(ctx, first.Client(), nil)
	require.NoError(t, err)
	second, err := p.Place(ctx, "room")
	require.NoError(t, err)
	assert.Equal(t, first.URL(), second.URL())
	assert.Equal(t, first.ServerID(), second.ServerID())
	assert.Same(t, first.Client(), second.Client())

	first.Release()
	first.Release() // no further effect
	third, err := p.Place(ctx, "room")
	require.NoError(t, err)
	assert.Equal(t, first.URL(), third.URL(), "one holder is left")
	second.Release()
	third.Release()
	assert.Equal(t, 0, keysOn(p)[first.URL()], "the key is forgotten with its last holder")
}

func TestDrain(t *testing.T) {
	_, urls := fakes(t, 2)
	ctx, p := newPool(t, pool.Static(urls...))
	old, err := p.Place(ctx, "old")
	require.NoError(t, err)
	drained := old.URL()
	require.NoError(t, p.Drain(drained))
	for _, k := range []string{"n1", "n2", "n3"} {
		pl, err := p.Place(ctx, k)
		require.NoError(t, err)
		defer pl.Release()
		assert.NotEqual(t, drained, pl.URL(), k)
	}
	again, err := p.Place(ctx, "old")
	require.NoError(t, err)
	assert.Equal(t, drained, again.URL(), "existing work keeps its server")

	// Draining everything refuses new keys at once.
	for _, u := range urls {
		require.NoError(t, p.Drain(u))
	}
	_, err = p.Place(ctx, "late")
	require.ErrorIs(t, err, pool.ErrNoCapacity)
	require.NoError(t, p.Undrain(urls[0]))
	require.NoError(t, p.Undrain(urls[1]))
	require.ErrorIs(t, p.Drain("ws://nowhere/kurento"), pool.ErrUnknownServer)

	idle := make(chan error, 1)
	go func() { idle <- p.WaitIdle(ctx, drained) }()
	old.Release()
	again.Release()
	require.NoError(t, <-idle)
}

func TestPolicyCapAndFunc(t *testing.T) {
	_, urls := fakes(t, 2)
	ctx, p := newPool(t, pool.Static(urls...), pool.WithPolicy(pool.LeastLoaded{MaxPipelines: 1}))
	a, err := p.Place(ctx, "a")
	require.NoError(t, err)
	defer a.Release()
	b, err := p.Place(ctx, "b")
	require.NoError(t, err)
	defer b.Release()
	assert.NotEqual(t, a.URL(), b.URL())
	_, err = p.Place(ctx, "c")
	require.ErrorIs(t, err, pool.ErrNoCapacity, "both servers are at the cap")

	// An application's function: everything on the second server.
	ctx2, p2 := newPool(t, pool.Static(urls...), pool.WithPolicy(pool.PolicyFunc(func(c pool.Candidate) (float64, bool) {
		return 0, c.URL == urls[1]
	})))
	for _, k := range []string{"x", "y", "z"} {
		pl, err := p2.Place(ctx2, k)
		require.NoError(t, err)
		defer pl.Release()
		assert.Equal(t, urls[1], pl.URL())
	}
}

func TestLeastLoadedScore(t *testing.T) {
	tests := []struct {
		name string
		l    pool.LeastLoaded
		c    pool.Candidate
		want float64
		ok   bool
	}{
		{"pipelines by default", pool.LeastLoaded{}, pool.Candidate{Weight: 1, Load: pool.Load{Pipelines: 4, CPU: 90}}, 4, true},
		{"weight divides", pool.LeastLoaded{}, pool.Candidate{Weight: 2, Load: pool.Load{Pipelines: 4}}, 2, true},
		{"weighted sum", pool.LeastLoaded{Pipelines: 1, CPU: 0.5, Memory: 1}, pool.Candidate{Weight: 1, Load: pool.Load{Pipelines: 2, CPU: 10, Memory: 2048}}, 2 + 5 + 2, true},
		{"pipeline cap", pool.LeastLoaded{MaxPipelines: 4}, pool.Candidate{Weight: 1, Load: pool.Load{Pipelines: 4}}, 0, false},
		{"cpu cap", pool.LeastLoaded{MaxCPU: 80}, pool.Candidate{Weight: 1, Load: pool.Load{CPU: 80}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.l.Score(tt.c)
			assert.Equal(t, tt.ok, ok)
			assert.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

// placeOn places keys until one lands on want (the others are kept so the
// loads move on).
func placeOn(ctx context.Context, t *testing.T, p *pool.Pool, want, prefix string) *pool.Placement {
	t.Helper()
	for i := range 20 {
		pl, err := p.Place(ctx, prefix+string(rune('a'+i)))
		require.NoError(t, err)
		t.Cleanup(pl.Release)
		if pl.URL() == want {
			return pl
		}
	}
	t.Fatalf("no key landed on %s", want)
	return nil
}

func TestFailoverOnRestart(t *testing.T) {
	srvs, urls := fakes(t, 2)
	ctx, p := newPool(t, pool.Static(urls...))
	fo := p.Failovers(ctx)
	onA := placeOn(ctx, t, p, urls[0], "a-")
	onB := placeOn(ctx, t, p, urls[1], "b-")
	lostID := onA.ServerID()
	keysA := keysOn(p)[urls[0]]
	require.Positive(t, keysA)

	srvs[0].Restart()
	got := map[string]pool.Failover{}
	for len(got) < keysA {
		select {
		case f := <-fo:
			got[f.Key] = f
		case <-ctx.Done():
			t.Fatalf("got %d of %d failovers", len(got), keysA)
		}
	}
	f := got[onA.Key()]
	assert.Equal(t, urls[0], f.URL)
	assert.Equal(t, lostID, f.ServerID)
	assert.Equal(t, pool.ReasonSessionLost, f.Reason)
	for k, f := range got {
		assert.Equal(t, urls[0], f.URL, k)
	}
	select {
	case <-onA.Lost():
	default:
		t.Fatal("Lost not closed with the failover")
	}
	select {
	case <-onB.Lost():
		t.Fatal("a key of the healthy server was lost")
	default:
	}
	onA.Release() // allowed after the loss

	// The key is forgotten: placing it again builds it anew, on a server
	// whose session is alive (the restarted one qualifies once read again).
	again, err := p.Place(ctx, onA.Key())
	require.NoError(t, err)
	defer again.Release()
	assert.NotEqual(t, lostID, again.ServerID())
}

func TestResumeIsNoFailover(t *testing.T) {
	srvs, urls := fakes(t, 1)
	ctx, p := newPool(t, pool.Static(urls...))
	fo := p.Failovers(ctx)
	pl, err := p.Place(ctx, "room")
	require.NoError(t, err)
	defer pl.Release()
	changes := pl.Client().StateChanges(ctx)
	srvs[0].DropConnections()
	waitReady(ctx, t, changes)
	// Had the drop failed the key over, the restart below would not find
	// it on the server any more and no failover would name it.
	srvs[0].Restart()
	select {
	case f := <-fo:
		assert.Equal(t, "room", f.Key)
		assert.Equal(t, pool.ReasonSessionLost, f.Reason)
	case <-ctx.Done():
		t.Fatal("no failover after the restart")
	}
}

func TestFailoverWhenServerDies(t *testing.T) {
	srvs, urls := fakes(t, 2)
	ctx, p := newPool(t, pool.Static(urls...), pool.WithLostAfter(50*time.Millisecond))
	fo := p.Failovers(ctx)
	onA := placeOn(ctx, t, p, urls[0], "a-")
	died := time.Now()
	require.NoError(t, srvs[0].Close())
	var f pool.Failover
	select {
	case f = <-fo:
	case <-ctx.Done():
		t.Fatal("no failover")
	}
	t.Logf("failover %v after the server died (lost-after 50ms)", f.At.Sub(died))
	assert.Equal(t, pool.ReasonUnreachable, f.Reason)
	assert.Equal(t, urls[0], f.URL)
	<-onA.Lost()
	// New keys go to the live server while the dead one is re-dialed.
	pl, err := p.Place(ctx, "after")
	require.NoError(t, err)
	defer pl.Release()
	assert.Equal(t, urls[1], pl.URL())
}

func waitReady(ctx context.Context, t *testing.T, changes <-chan rpc.StateChange) {
	t.Helper()
	for {
		select {
		case ch := <-changes:
			if ch.State == rpc.Ready {
				return
			}
		case <-ctx.Done():
			t.Fatal("client did not come back")
		}
	}
}

// dnsFake is a Resolver whose records the test changes.
type dnsFake struct {
	mu   sync.Mutex
	ips  []string
	srv  []*net.SRV
	fail error
}

func (d *dnsFake) set(ips ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ips = ips
}

func (d *dnsFake) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return nil, d.fail
	}
	var out []net.IPAddr
	for _, s := range d.ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out, nil
}

func (d *dnsFake) LookupSRV(context.Context, string, string, string) (string, []*net.SRV, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return "", d.srv, d.fail
}

// routeByHost dials each address's own fake through its in-memory
// transport, so made-up addresses reach distinct servers.
func routeByHost(t *testing.T, byHost map[string]*kurentotest.Server) pool.Option {
	t.Helper()
	return pool.WithDialer(func(ctx context.Context, raw string) (*client.Client, error) {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, err
		}
		srv, ok := byHost[u.Hostname()]
		if !ok {
			return nil, errors.New("no such host")
		}
		return client.Dial(ctx, raw, client.WithHTTPClient(srv.HTTPClient()),
			client.WithBackoff(client.Backoff{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}))
	})
}

func TestDNSChanges(t *testing.T) {
	srvs, _ := fakes(t, 3)
	byHost := map[string]*kurentotest.Server{"10.0.0.1": srvs[0], "10.0.0.2": srvs[1], "fd00::3": srvs[2]}
	dns := &dnsFake{}
	dns.set("10.0.0.1")
	ctx, p := newPool(t, pool.HostRecords{Host: "kms.test", Port: 8888, Resolver: dns}, routeByHost(t, byHost))
	a := "ws://10.0.0.1:8888/kurento"
	b := "ws://10.0.0.2:8888/kurento"
	c := "ws://[fd00::3]:8888/kurento"

	k1, err := p.Place(ctx, "k1")
	require.NoError(t, err)
	assert.Equal(t, a, k1.URL())

	// A leaves and B joins: A keeps k1 but takes nothing new.
	dns.set("10.0.0.2")
	require.NoError(t, p.Resolve(ctx))
	k2, err := p.Place(ctx, "k2") // waits for B to be ready
	require.NoError(t, err)
	defer k2.Release()
	assert.Equal(t, b, k2.URL())
	st := p.Servers()
	require.Len(t, st, 2)
	assert.True(t, st[0].Leaving, "A is leaving")
	k1again, err := p.Place(ctx, "k1")
	require.NoError(t, err)
	assert.Equal(t, a, k1again.URL(), "work on a leaving server keeps it")
	k1again.Release()
	k1.Release()
	require.NoError(t, p.WaitIdle(ctx, a))
	for _, s := range p.Servers() {
		assert.NotEqual(t, a, s.URL, "A is gone once its keys are")
	}

	// A failing lookup keeps the servers.
	dns.mu.Lock()
	dns.fail = errors.New("SERVFAIL")
	dns.mu.Unlock()
	require.Error(t, p.Resolve(ctx))
	require.Len(t, p.Servers(), 1)
	dns.mu.Lock()
	dns.fail = nil
	dns.mu.Unlock()

	// B leaves too and an IPv6 record takes over: new keys wait for it.
	dns.set("fd00::3")
	require.NoError(t, p.Resolve(ctx))
	k3, err := p.Place(ctx, "k3")
	require.NoError(t, err)
	defer k3.Release()
	assert.Equal(t, c, k3.URL())
	assert.Equal(t, srvs[2].ServerID(), k3.ServerID())
}

func TestSRVTargets(t *testing.T) {
	dns := &dnsFake{srv: []*net.SRV{
		{Target: "kms-0.kms.svc.", Port: 8888, Priority: 10, Weight: 0},
		{Target: "kms-1.kms.svc.", Port: 8889, Priority: 10, Weight: 3},
		{Target: "backup.kms.svc.", Port: 8888, Priority: 20, Weight: 1},
	}}
	ts, err := pool.SRVRecords{Service: "kurento", Proto: "tcp", Name: "kms.svc", Scheme: "wss", Resolver: dns}.Targets(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []pool.Target{
		{URL: "wss://kms-0.kms.svc:8888/kurento", Weight: 1},
		{URL: "wss://kms-1.kms.svc:8889/kurento", Weight: 3},
	}, ts)
}

func TestCloseEndsEverything(t *testing.T) {
	srvs, urls := fakes(t, 2)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	p, err := pool.New(ctx, pool.Static(urls...), fast()...)
	require.NoError(t, err)
	fo := p.Failovers(context.Background())
	pl, err := p.Place(ctx, "k")
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	_, open := <-fo
	assert.False(t, open, "Failovers closes with the pool")
	_, err = p.Place(ctx, "k2")
	require.ErrorIs(t, err, pool.ErrClosed)
	_, err = pipeline.NewMediaPipeline(ctx, pl.Client(), nil)
	require.ErrorIs(t, err, client.ErrClosed)
	pl.Release()
	for _, s := range srvs {
		assert.Empty(t, s.Sessions(), "closeSession was sent")
	}
}

func TestNewErrors(t *testing.T) {
	_, err := pool.New(t.Context(), nil)
	require.Error(t, err)
	_, err = pool.New(t.Context(), pool.Static(), pool.WithLostAfter(0))
	require.Error(t, err)
	_, err = pool.New(t.Context(), pool.HostRecords{Host: "x", Resolver: &dnsFake{fail: errors.New("NXDOMAIN")}})
	require.Error(t, err, "the first lookup must work")
	_, err = pool.New(t.Context(), pool.Static("http://127.0.0.1:8888/kurento"))
	require.ErrorContains(t, err, "not a ws:// or wss:// URL")
	_, err = pool.New(t.Context(), pool.Static("ws://"))
	require.Error(t, err)

	_, urls := fakes(t, 1)
	ctx, p := newPool(t, pool.Static(urls...))
	_, err = p.Place(ctx, "")
	require.ErrorContains(t, err, "empty key")
}

func TestRestartedServerTakesKeysAgain(t *testing.T) {
	srvs, urls := fakes(t, 1)
	ctx, p := newPool(t, pool.Static(urls...))
	fo := p.Failovers(ctx)
	before, err := p.Place(ctx, "a")
	require.NoError(t, err)
	srvs[0].Restart()
	select {
	case f := <-fo:
		assert.Equal(t, pool.ReasonSessionLost, f.Reason)
	case <-ctx.Done():
		t.Fatal("no failover")
	}
	// The only server has a new session: once its pipelines are listed
	// again on it (Place waits for that), it takes keys.
	after, err := p.Place(ctx, "a")
	require.NoError(t, err)
	defer after.Release()
	assert.Equal(t, urls[0], after.URL())
	assert.Equal(t, srvs[0].ServerID(), after.ServerID())
	assert.NotEqual(t, before.ServerID(), after.ServerID())
	// Its client is the same, now on a fresh session.
	_, err = pipeline.NewMediaPipeline(ctx, after.Client(), nil)
	require.NoError(t, err)
}

func TestSlowFailoverReader(t *testing.T) {
	srvs, urls := fakes(t, 1)
	ctx, p := newPool(t, pool.Static(urls...), pool.WithFailoverBuffer(2))
	slow := p.Failovers(ctx)
	fast := p.Failovers(ctx)
	keys := []string{"a", "b", "c", "d", "e"}
	for _, k := range keys {
		pl, err := p.Place(ctx, k)
		require.NoError(t, err)
		defer pl.Release()
	}
	srvs[0].Restart()
	for range keys {
		<-fast
	}
	// Five failovers for a queue of two that nobody read: the slow reader
	// gets what was queued, in order, then its channel closes instead of
	// missing the rest silently.
	var got []string
	for f := range slow {
		got = append(got, f.Key)
	}
	assert.GreaterOrEqual(t, len(got), 2)
	assert.Less(t, len(got), len(keys))
	assert.Equal(t, keys[:len(got)], got)
}

func TestWeights(t *testing.T) {
	_, urls := fakes(t, 2)
	// A long refresh interval: the placements' own counts decide alone.
	ctx, p := newPool(t, pool.StaticTargets{{URL: urls[0], Weight: 1}, {URL: urls[1], Weight: 3}},
		pool.WithRefresh(pool.Refresh{Interval: time.Hour}))
	for i := range 8 {
		pl, err := p.Place(ctx, strconv.Itoa(i))
		require.NoError(t, err)
		defer pl.Release()
	}
	on := keysOn(p)
	assert.Equal(t, 2, on[urls[0]])
	assert.Equal(t, 6, on[urls[1]], "three times the weight, three times the keys")
}

func TestResolveInterval(t *testing.T) {
	srvs, _ := fakes(t, 1)
	dns := &dnsFake{} // no records yet: the pool starts empty
	ctx, p := newPool(t, pool.HostRecords{Host: "kms.test", Resolver: dns},
		routeByHost(t, map[string]*kurentotest.Server{"10.0.0.9": srvs[0]}),
		pool.WithResolveInterval(10*time.Millisecond))
	require.Empty(t, p.Servers())
	dns.set("10.0.0.9")
	// Place waits while no server is ready; the periodic lookup brings one.
	pl, err := p.Place(ctx, "k")
	require.NoError(t, err)
	defer pl.Release()
	assert.Equal(t, "ws://10.0.0.9:8888/kurento", pl.URL())
}
