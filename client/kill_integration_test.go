//go:build integration

package client_test

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
)

// ownKMS starts a KMS of the test's own (never a shared one) through the
// script named by KURENTO_KMS_SH, and stops it at cleanup.
func ownKMS(t *testing.T) (url string, stop func()) {
	t.Helper()
	script := os.Getenv("KURENTO_KMS_SH")
	if script == "" {
		t.Skip("KURENTO_KMS_SH is not set: this test starts and kills a KMS of its own")
	}
	port := os.Getenv("KURENTO_KILL_PORT")
	if port == "" {
		port = "18830"
	}
	out, err := exec.CommandContext(t.Context(), "bash", script, "start", port).Output()
	require.NoError(t, err, "starting KMS on port %s", port)
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = exec.CommandContext(context.WithoutCancel(t.Context()), "bash", script, "stop", port).Run()
		})
	}
	t.Cleanup(stop)
	return strings.TrimSpace(string(out)), stop
}

// freezer is a TCP proxy that can stop forwarding what the client writes,
// so that a request is on the wire (written by the client) but never
// reaches the server.
type freezer struct {
	ln     net.Listener
	target string
	frozen atomic.Bool
	held   chan struct{} // closed when the first bytes are held back
	once   sync.Once
	wg     sync.WaitGroup
}

func newFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &freezer{ln: ln, target: target, held: make(chan struct{})}
	f.wg.Go(f.accept)
	t.Cleanup(func() { _ = ln.Close(); f.wg.Wait() })
	return f
}

func (f *freezer) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		s, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", f.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		f.wg.Go(func() { // client to server, until frozen
			buf := make([]byte, 32<<10)
			for {
				n, err := c.Read(buf)
				if err != nil {
					break
				}
				if f.frozen.Load() {
					f.once.Do(func() { close(f.held) })
					continue
				}
				if _, err := s.Write(buf[:n]); err != nil {
					break
				}
			}
			_ = s.Close()
		})
		f.wg.Go(func() { // server to client
			_, _ = io.Copy(c, s)
			_ = c.Close()
		})
	}
}

// TestKilledServerSettlesCallsInFlight: a real KMS is killed with a call
// in flight and stays down. The call fails with ErrConnectionLost once
// its resend window closes, long before its own deadline.
func TestKilledServerSettlesCallsInFlight(t *testing.T) {
	kmsURL, stop := ownKMS(t)
	host := strings.TrimPrefix(kmsURL, "ws://")
	host = host[:strings.IndexByte(host, '/')]
	f := newFreezer(t, host)
	url := "ws://" + f.ln.Addr().String() + "/kurento"

	ctx := testCtx(t)
	c, err := client.Dial(ctx, url, client.WithResendWindow(2*time.Second))
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	var name string
	require.NoError(t, c.Invoke(ctx, client.ServerManagerID, "getName", nil, &name))

	f.frozen.Store(true) // the next request is written but never arrives
	callCtx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- c.Invoke(callCtx, client.ServerManagerID, "getName", nil, &name) }()
	<-f.held // the request left the client
	stop()   // KMS dies and stays down
	err = <-errc
	require.ErrorIs(t, err, client.ErrConnectionLost)
	require.NoError(t, callCtx.Err(), "settled before the call's own deadline")
	require.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, client.SafeToRetry(err))
}

// TestRealKMSWrongPathIsNamed: the real server upgrades a socket on any
// path and closes it with 1002 "Invalid path"; Dial says so at once.
func TestRealKMSWrongPathIsNamed(t *testing.T) {
	url := os.Getenv("KURENTO_URL")
	if url == "" {
		t.Skip("KURENTO_URL is not set")
	}
	_, err := client.Dial(context.Background(), strings.TrimSuffix(url, "/kurento")+"/foo")
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), "wrong path")
	assert.Contains(t, err.Error(), "Invalid path")
	require.NotErrorIs(t, err, client.ErrConnectionLost)
}
