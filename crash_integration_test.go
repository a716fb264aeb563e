//go:build integration

package kurento_test

import (
	"context"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/rpc"
)

// ownKMS is a real KMS this test starts, kills and starts again on a port
// of its own, through the script named by KURENTO_KMS_SH (the shared
// servers of KURENTO_URL are never touched).
type ownKMS struct {
	script, port string
}

func startOwnKMS(t *testing.T) (*ownKMS, string) {
	t.Helper()
	script := os.Getenv("KURENTO_KMS_SH")
	if script == "" {
		t.Skip("KURENTO_KMS_SH not set: this test needs kms.sh to start a real KMS of its own")
	}
	k := &ownKMS{script: script, port: freePort(t)}
	u := k.start(t)
	t.Cleanup(func() {
		if out, err := exec.Command("bash", k.script, "stop", k.port).CombinedOutput(); err != nil {
			t.Logf("kms.sh stop %s: %v\n%s", k.port, err, out)
		}
	})
	return k, u
}

// freePort picks a port nothing listens on, in KMS_PORT_RANGE ("LOW-HIGH")
// when set, else one the kernel hands out.
func freePort(t *testing.T) string {
	t.Helper()
	if r := os.Getenv("KMS_PORT_RANGE"); r != "" {
		lo, hi, ok := strings.Cut(r, "-")
		l, err1 := strconv.Atoi(lo)
		h, err2 := strconv.Atoi(hi)
		require.True(t, ok && err1 == nil && err2 == nil && l <= h, "KMS_PORT_RANGE %q", r)
		start := l + rand.IntN(h-l+1)
		for i := range h - l + 1 {
			p := l + (start-l+i)%(h-l+1)
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err == nil {
				_ = ln.Close()
				return strconv.Itoa(p)
			}
		}
		t.Fatalf("no free port in KMS_PORT_RANGE %s", r)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func (k *ownKMS) start(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("bash", k.script, "start", k.port)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "kms.sh start %s: %s", k.port, stderr.String())
	return strings.TrimSpace(string(out))
}

// kill sends SIGKILL to the KMS, like a crash: the pid is in
// $KMS_HOME/run/PORT/kms.pid, KMS_HOME defaulting as in kms.sh.
func (k *ownKMS) kill(t *testing.T) {
	t.Helper()
	home := os.Getenv("KMS_HOME")
	if home == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			h, err := os.UserHomeDir()
			require.NoError(t, err)
			cache = filepath.Join(h, ".cache")
		}
		home = filepath.Join(cache, "gokurento-kms", "7.3.1-dev")
	}
	b, err := os.ReadFile(filepath.Join(home, "run", k.port, "kms.pid"))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	// Wait until kms.sh sees it gone, so that start launches a new one.
	for exec.Command("bash", k.script, "status", k.port).Run() == nil {
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServerKilledMidCall kills a real KMS while a call is set up on it:
// the client reports the socket loss, reconnects once the server is back,
// finds its session gone (a new serverId) and says so: the old handles
// fail with ErrSessionLost, event channels close, and new objects work.
func TestServerKilledMidCall(t *testing.T) {
	k, u := startOwnKMS(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, u, client.WithBackoff(client.Backoff{Base: 50 * time.Millisecond, Max: 500 * time.Millisecond}))
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	changes := c.StateChanges(ctx)

	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	require.NoError(t, err)
	states, err := ep.OnMediaStateChanged(ctx)
	require.NoError(t, err)
	offer, err := os.ReadFile("kurentotest/testdata/real-kms/g_offer.sdp")
	require.NoError(t, err)
	_, err = ep.ProcessOffer(ctx, string(offer))
	require.NoError(t, err)
	require.NoError(t, ep.Connect(ctx, ep, nil))

	k.kill(t)
	next := func() rpc.StateChange {
		t.Helper()
		select {
		case sc, ok := <-changes:
			require.True(t, ok, "state changes ended")
			return sc
		case <-ctx.Done():
			t.Fatalf("no state change: %v", ctx.Err())
		}
		return rpc.StateChange{}
	}
	sc := next()
	assert.Equal(t, rpc.Reconnecting, sc.State, "%v", sc)
	assert.Contains(t, []rpc.Reason{rpc.ReasonSocketLost, rpc.ReasonKeepalive}, sc.Reason, "%v", sc)

	// While the server is down a call fails (connection lost) or waits for
	// the reconnect; either way it does not succeed on the dead session.
	callCtx, callCancel := context.WithTimeout(ctx, 2*time.Second)
	_, err = ep.GetName(callCtx)
	callCancel()
	require.Error(t, err)

	k.start(t)
	for sc = next(); sc.State == rpc.Reconnecting; sc = next() {
	}
	assert.Equal(t, rpc.Ready, sc.State, "%v", sc)
	assert.Equal(t, rpc.ReasonSessionLost, sc.Reason, "%v", sc)

	_, err = ep.GetName(ctx)
	require.ErrorIs(t, err, client.ErrSessionLost)
	for ev := range states {
		t.Logf("event delivered before the loss: %+v", ev) // the channel must close
	}

	// The client works on the new server process.
	p2, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	name, err := p2.GetName(ctx)
	require.NoError(t, err)
	assert.Equal(t, p2.Object().ID(), name)
	require.NoError(t, p2.Release(ctx))
	require.NoError(t, c.Close())
}

// TestSessionBelongsToItsServer uses the two shared servers of the
// integration run (KURENTO_URL, KURENTO_URL_2): a session kept open on one
// is adopted again there, and is unknown to the other, which the client
// reports as ErrInvalidSession.
func TestSessionBelongsToItsServer(t *testing.T) {
	u1, u2 := os.Getenv("KURENTO_URL"), os.Getenv("KURENTO_URL_2")
	if u1 == "" || u2 == "" {
		t.Skip("KURENTO_URL and KURENTO_URL_2 not set: this test needs two real KMS")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c1, err := client.Dial(ctx, u1, client.WithKeepSessionOnClose())
	require.NoError(t, err)
	p, err := pipeline.NewMediaPipeline(ctx, c1, nil)
	require.NoError(t, err)
	sid, server1 := c1.SessionID(), c1.ServerID()
	require.NoError(t, c1.Close())

	_, err = client.Dial(ctx, u2, client.WithSessionID(sid))
	require.ErrorIs(t, err, client.ErrInvalidSession)

	again, err := client.Dial(ctx, u1, client.WithSessionID(sid))
	require.NoError(t, err)
	defer func() { _ = again.Close() }()
	assert.Equal(t, sid, again.SessionID())
	assert.Equal(t, server1, again.ServerID())
	other, err := client.Dial(ctx, u2)
	require.NoError(t, err)
	defer func() { _ = other.Close() }()
	assert.NotEqual(t, server1, other.ServerID(), "two servers, two serverIds")
	require.NoError(t, again.Object("MediaPipeline", p.ID()).Release(ctx))
}
