package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// started is a running program.
type started struct {
	lines  []string // what it printed on stdout when ready
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// start runs the program with args and waits for want lines on stdout.
func start(t *testing.T, want int, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	p := &started{stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := run(ctx, args, pw, p.stderr)
		_ = pw.CloseWithError(io.EOF) // never fails
		p.done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-p.done; err != nil {
			t.Logf("run: %v", err)
		}
		_ = pr.Close()
	})
	sc := bufio.NewScanner(pr)
	for len(p.lines) < want {
		if !sc.Scan() {
			cancel()
			t.Fatalf("program ended before printing %d lines: %v\nstderr:\n%s", want, <-p.done, p.stderr)
		}
		p.lines = append(p.lines, sc.Text())
	}
	// Nothing else is printed on stdout; drain it so writes never block.
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return p
}

// stop ends the program as a signal would and returns its error.
func (p *started) stop(t *testing.T) error {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("the program did not stop within 5 s")
		return nil
	}
}

func ping(ctx context.Context, t *testing.T, url string) string {
	t.Helper()
	ws, resp, err := websocket.Dial(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	require.NoError(t, err)
	defer func() { _ = ws.CloseNow() }()
	require.NoError(t, ws.Write(ctx, websocket.MessageText, []byte(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"interval":5000}}`)))
	_, b, err := ws.Read(ctx)
	require.NoError(t, err)
	return string(b)
}

func TestPingAndCleanShutdown(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	p := start(t, 1, "-listen", "127.0.0.1:0", "-log-level", "debug", "-gc-period", "10s", "-reply-cache-ttl", "1s")
	require.Len(t, p.lines, 1)
	url := p.lines[0]
	assert.Regexp(t, `^ws://127\.0\.0\.1:\d+/kurento$`, url)

	assert.JSONEq(t, `{"id":1,"jsonrpc":"2.0","result":{"value":"pong"}}`, ping(ctx, t, url))
	require.NoError(t, p.stop(t))

	logs := p.stderr.String()
	assert.Contains(t, logs, "level=INFO msg=\"fake KMS ready\"")
	assert.Contains(t, logs, "level=DEBUG", "frames are logged at debug")
	assert.Contains(t, logs, `msg="kurentotest: recv"`)
	assert.Contains(t, logs, `\"method\":\"ping\"`)
	assert.Contains(t, logs, "msg=\"shutting down\"")

	// The server is closed: the port refuses new sockets.
	_, resp, err := websocket.Dial(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err)
}

func TestInfoLevelLogsNoFrames(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	p := start(t, 1, "-listen", "127.0.0.1:0")
	ping(ctx, t, p.lines[0])
	require.NoError(t, p.stop(t))
	assert.NotContains(t, p.stderr.String(), "kurentotest: recv")
}

func TestAdminHook(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	p := start(t, 2, "-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0")
	url, admin := p.lines[0], p.lines[1]
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, admin)

	ws, resp, err := websocket.Dial(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	require.NoError(t, err)
	defer func() { _ = ws.CloseNow() }()
	require.NoError(t, ws.Write(ctx, websocket.MessageText, []byte(`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"MediaPipeline"}}`)))
	_, b, err := ws.Read(ctx)
	require.NoError(t, err)
	require.Contains(t, string(b), `"sessionId":"`)

	post := func(path string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, admin+path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp.StatusCode
	}

	assert.Equal(t, http.StatusNoContent, post("/drop"))
	_, _, err = ws.Read(ctx)
	require.Error(t, err, "the socket is dropped")

	assert.Equal(t, http.StatusNoContent, post("/restart"))
	assert.Equal(t, http.StatusNotFound, post("/nope"))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, admin+"/drop", nil)
	require.NoError(t, err)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	assert.JSONEq(t, `{"id":1,"jsonrpc":"2.0","result":{"value":"pong"}}`, ping(ctx, t, url), "the fake still serves")
	require.NoError(t, p.stop(t))
	assert.Contains(t, p.stderr.String(), "admin: dropping every connection")
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "bad level", args: []string{"-log-level", "loud"}, wantErr: "-log-level"},
		{name: "stray argument", args: []string{"-listen", "127.0.0.1:0", "extra"}, wantErr: "unexpected arguments"},
		{name: "unknown flag", args: []string{"-nope"}, wantErr: "flag provided but not defined"},
		{name: "bad address", args: []string{"-listen", "127.0.0.1:99999"}, wantErr: "invalid port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			err := run(t.Context(), tt.args, &out, &errOut)
			require.ErrorContains(t, err, tt.wantErr)
			assert.Empty(t, out.String())
		})
	}
}

func TestUsageHidesAdmin(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"-h"}, &out, &errOut)
	require.ErrorIs(t, err, flag.ErrHelp)
	usage := errOut.String()
	for _, f := range []string{"-listen", "-gc-period", "-reply-cache-ttl", "-log-level"} {
		assert.Contains(t, usage, f)
	}
	assert.NotContains(t, usage, "admin")
	assert.True(t, strings.HasPrefix(usage, "usage: kurento-fake"), usage)
}
