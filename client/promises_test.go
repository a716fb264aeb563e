package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
)

// wsServer serves websocket peers that are not KMS; peer runs on each
// accepted socket.
func wsServer(t *testing.T, peer func(ctx context.Context, ws *websocket.Conn)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = ws.CloseNow() }()
		peer(r.Context(), ws)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/kurento"
}

// TestDialSaysWhatIsWrong: a wrong scheme, a wrong path, an echo server and
// a silent one each fail Dial promptly with an error that names the
// problem, although the caller's ctx has no deadline.
func TestDialSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)

	t.Run("wrong scheme", func(t *testing.T) {
		t.Parallel()
		_, err := client.Dial(context.Background(), strings.Replace(srv.URL(), "ws://", "http://", 1))
		require.Error(t, err)
		assert.Contains(t, err.Error(), `scheme "http", want ws or wss`)
		assert.Empty(t, srv.Sessions(), "nothing was dialled")
	})
	t.Run("wrong path", func(t *testing.T) {
		t.Parallel()
		// KMS upgrades a socket on any path, then closes it with 1002
		// "Invalid path" (PROTOCOL.md §1).
		url := wsServer(t, func(ctx context.Context, ws *websocket.Conn) {
			_ = ws.Close(websocket.StatusProtocolError, "Invalid path")
		})
		_, err := client.Dial(context.Background(), url)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "wrong path")
		assert.Contains(t, err.Error(), "Invalid path")
		assert.NotErrorIs(t, err, client.ErrConnectionLost, "nothing was lost: the socket was refused")
	})
	t.Run("echo server", func(t *testing.T) {
		t.Parallel()
		url := wsServer(t, func(ctx context.Context, ws *websocket.Conn) {
			for {
				typ, b, err := ws.Read(ctx)
				if err != nil || ws.Write(ctx, typ, b) != nil {
					return
				}
			}
		})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // the caller's bound, far off
		defer cancel()
		_, err := client.Dial(ctx, url)
		require.ErrorIs(t, err, client.ErrNotKurento)
		assert.NotErrorIs(t, err, context.DeadlineExceeded, "told at the first echo, not at a deadline")
	})
	t.Run("silent server", func(t *testing.T) {
		t.Parallel()
		url := wsServer(t, func(ctx context.Context, ws *websocket.Conn) {
			for { // reads everything, answers nothing
				if _, _, err := ws.Read(ctx); err != nil {
					return
				}
			}
		})
		_, err := client.Dial(context.Background(), url, client.WithDialTimeout(200*time.Millisecond))
		require.ErrorIs(t, err, client.ErrNotKurento)
		assert.Contains(t, err.Error(), "no answer to the handshake")
	})
}

// TestCloseIsBoundedWhenTheServerNeverAnswers: a server that answers
// neither closeSession nor the closing handshake holds Close for about
// rpc.DefaultCloseTimeout in all; CloseContext takes the caller's bound.
func TestCloseIsBoundedWhenTheServerNeverAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := kurentotest.NewServer(t)
		for _, closeWith := range []func(*client.Client) error{
			(*client.Client).Close,
			func(c *client.Client) error {
				ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
				defer cancel()
				return c.CloseContext(ctx)
			},
		} {
			c, err := client.Dial(t.Context(), srv.URL(), client.WithHTTPClient(srv.HTTPClient()))
			require.NoError(t, err)
			srv.React("closeSession", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
			start := time.Now()
			require.NoError(t, closeWith(c))
			assert.LessOrEqual(t, time.Since(start), rpc.DefaultCloseTimeout)
		}
	})
}

// TestErrorsAreClassifiedExactly: local means no server answer was
// involved; SafeToRetry holds for every failure before the wire; each
// layer adds its context once; no sentinel text leaks.
func TestErrorsAreClassifiedExactly(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)

	// Refused before the wire.
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	var nilObj *client.Object
	err = nilObj.Invoke(ctx, "getName", nil, nil)
	assert.True(t, client.IsLocal(err))
	assert.True(t, client.SafeToRetry(err))
	var se *client.Error
	assert.NotErrorAs(t, err, &se)

	// A server refusal: not local, not safe, typed, one "kurento:".
	err = c.Invoke(ctx, p.ID(), "noSuchOp", nil, nil)
	require.ErrorAs(t, err, &se)
	assert.False(t, client.IsLocal(err))
	assert.False(t, client.SafeToRetry(err))
	assert.Equal(t, 1, strings.Count(err.Error(), "kurento:"), err.Error())
	assert.Equal(t, 1, strings.Count(err.Error(), p.ID()), err.Error())

	// Sentinels have no message of their own.
	assert.Equal(t, "kurento: SDP_PARSE_ERROR (40201)", client.ErrSDPParse.Error())

	// A deadline: the method is named once, by the client layer.
	srv.React("getName", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err = p.Invoke(short, "getName", nil, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, client.IsLocal(err))
	assert.Equal(t, 1, strings.Count(err.Error(), "getName"), err.Error())
	assert.NotContains(t, err.Error(), "rpc:", err.Error())
	tx := c.Begin()
	_, err = tx.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	srv.React("transaction", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	err = tx.Commit(short2)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "kurento: transaction: context deadline exceeded", err.Error())

	// After Close every call is refused before the wire, creates included.
	c2 := dial(t, srv)
	require.NoError(t, c2.Close())
	_, err = c2.CreateObject(ctx, "MediaPipeline", nil)
	require.ErrorIs(t, err, client.ErrClosed)
	assert.True(t, client.SafeToRetry(err), "create after Close")
	err = c2.Invoke(ctx, client.ServerManagerID, "getName", nil, nil)
	require.ErrorIs(t, err, client.ErrClosed)
	assert.True(t, client.SafeToRetry(err), "invoke after Close")
}

// TestDeadContextCreatesNothing: a create with an already-ended ctx is
// refused before the wire, like every other call.
func TestDeadContextCreatesNothing(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel()
	before := len(srv.Calls())
	for range 20 {
		_, err := c.CreateObject(ctx, "MediaPipeline", nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.True(t, client.SafeToRetry(err))
	}
	// Anything sent would be logged before this call's answer.
	require.NoError(t, c.Invoke(testCtx(t), client.ServerManagerID, "getName", nil, nil))
	assert.Len(t, srv.Calls(), before+1, "only the getName reached the server")
}

// TestAbandonedCommitReleasesItsObjects: a Commit whose ctx ends after the
// transaction was sent leaves nothing on the server, as CreateObject does.
func TestAbandonedCommitReleasesItsObjects(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	srv.React("transaction", kurentotest.Reaction{Delay: 300 * time.Millisecond})
	tx := c.Begin()
	p, err := tx.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	_, err = p.CreateObject(ctx, "PassThrough", map[string]any{"mediaPipeline": p})
	require.NoError(t, err)
	short, cancel := context.WithCancel(ctx)
	go func() { // cancel once the transaction ran on the server
		_, _ = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "transaction" })
		cancel()
	}()
	require.ErrorIs(t, tx.Commit(short), context.Canceled)
	_, err = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "release" })
	require.NoError(t, err, "the orphans are released")
	require.NoError(t, c.Invoke(ctx, client.ServerManagerID, "getName", nil, nil))
	require.NoError(t, c.Close(), "Close waits for the background releases")
	assert.Len(t, srv.Objects(), 1, "only the ServerManager is left")
}

// TestKeepaliveSparesASocketThatIsReceiving: a ping whose reply is queued
// behind a stream of frames (an event flood read slowly on a loaded
// machine) does not get a receiving socket killed; a silent one does.
func TestKeepaliveSparesASocketThatIsReceiving(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := kurentotest.NewServer(t)
		c, err := client.Dial(t.Context(), srv.URL(), client.WithHTTPClient(srv.HTTPClient()))
		require.NoError(t, err)
		defer func() { _ = c.Close() }()
		changes := c.StateChanges(t.Context())
		p, err := c.CreateObject(t.Context(), "MediaPipeline", nil)
		require.NoError(t, err)
		events, err := p.Subscribe(t.Context(), "Error")
		require.NoError(t, err)
		go func() {
			for range events { // drain
			}
		}()
		srv.React("ping", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
		_, err = srv.WaitCall(t.Context(), func(c kurentotest.Call) bool { return c.Method == "ping" })
		require.NoError(t, err)
		// Frames keep arriving while the ping waits for its reply.
		for range 9 {
			time.Sleep(time.Second)
			require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"type": "X"}))
		}
		time.Sleep(rpc.DefaultKeepaliveTimeout)
		synctest.Wait()
		select {
		case sc := <-changes:
			require.FailNow(t, "the receiving socket was dropped", "%v", sc)
		default:
		}
		assert.Equal(t, rpc.Ready, c.State())
	})
}

// TestConnectionSettingsAreValidatedOnce: the backoff and keepalive
// settings are checked by Dial with the rest of the connection settings
// (one place, one set of defaults), before anything is dialled.
func TestConnectionSettingsAreValidatedOnce(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	for _, o := range []client.Option{
		client.WithBackoff(client.Backoff{Jitter: 1.5}),
		client.WithBackoff(client.Backoff{Multiplier: 0.5}),
		client.WithBackoff(client.Backoff{Base: -time.Second}),
		client.WithKeepalive(client.Keepalive{Timeout: -time.Second}),
	} {
		_, err := client.Dial(testCtx(t), srv.URL(), o)
		require.Error(t, err)
	}
	assert.Empty(t, srv.Calls(), "nothing was dialled")
	// Zero jitter is a setting of its own, not "the default".
	c := dial(t, srv, client.WithBackoff(client.Backoff{NoJitter: true}))
	assert.Equal(t, rpc.Ready, c.State())
}
