package kurentotest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/kurentotest"
)

func TestMain(m *testing.M) {
	if beforeTests != nil {
		beforeTests()
	}
	goleak.VerifyTestMain(m)
}

// Hooks set by integration_test.go (build tag integration); nil otherwise,
// and every test then talks to the fake. realServer returns the URL of a
// real KMS or skips the test; beforeTests runs before the tests.
var (
	realServer  func(t *testing.T) string
	beforeTests func()
)

// target is the server a behaviour test talks to: the fake, or a real KMS
// in the integration build (fake-only checks are then skipped).
type target struct {
	url    string
	client *http.Client
	fake   *kurentotest.Server
}

func newTarget(t *testing.T, opts ...kurentotest.Option) target {
	t.Helper()
	if realServer != nil {
		return target{url: realServer(t), client: http.DefaultClient}
	}
	s := kurentotest.NewServer(t, opts...)
	return target{url: s.URL(), client: nil, fake: s}
}

// assertFrame checks two frames are byte-identical (key order included,
// which JSONEq would ignore).
func assertFrame(t *testing.T, want, got string, msgAndArgs ...any) {
	t.Helper()
	if want != got {
		t.Errorf("frame mismatch %v\nwant %s\ngot  %s", msgAndArgs, want, got)
	}
}

// wsConn is a raw JSON-RPC socket.
type wsConn struct {
	t  *testing.T
	ws *websocket.Conn
}

func (tg target) dial(t *testing.T) *wsConn {
	t.Helper()
	return tg.dialPath(t, "/kurento")
}

func (tg target) dialPath(t *testing.T, path string) *wsConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	u := strings.TrimSuffix(tg.url, "/kurento") + path
	ws, err := dialWS(ctx, u, tg.client)
	require.NoError(t, err)
	ws.SetReadLimit(-1)
	t.Cleanup(func() { _ = ws.CloseNow() })
	return &wsConn{t: t, ws: ws}
}

// dialWS opens a raw socket. websocket.Dial leaves resp.Body nil on success
// and a drained copy on failure; it is closed whenever set.
func dialWS(ctx context.Context, url string, client *http.Client) (*websocket.Conn, error) {
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return ws, err
}

func (w *wsConn) send(frame string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(w.t, w.ws.Write(ctx, websocket.MessageText, []byte(frame)))
}

func (w *wsConn) recv() string {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), 5*time.Second)
	defer cancel()
	_, b, err := w.ws.Read(ctx)
	require.NoError(w.t, err)
	return string(b)
}

// call sends a frame and returns the next frame received.
func (w *wsConn) call(frame string) string {
	w.t.Helper()
	w.send(frame)
	return w.recv()
}

// request sends a frame and reads until the reply, returning it and the
// events that came before it.
func (w *wsConn) request(frame string) (reply string, events []string) {
	w.t.Helper()
	w.send(frame)
	for {
		f := w.recv()
		if strings.Contains(f, `"method":"onEvent"`) {
			events = append(events, f)
			continue
		}
		return f, events
	}
}

// callJSON sends a frame and decodes the reply.
func (w *wsConn) callJSON(frame string) map[string]any {
	w.t.Helper()
	var m map[string]any
	reply, _ := w.request(frame)
	require.NoError(w.t, json.Unmarshal([]byte(reply), &m))
	return m
}

// noReply proves a frame got no reply: a ping sent after it is answered
// first (replies on one socket come in order).
func (w *wsConn) noReply(frame string) {
	w.t.Helper()
	w.send(frame)
	got := w.call(`{"jsonrpc":"2.0","id":"probe-x","method":"ping"}`)
	require.Contains(w.t, got, `"id":"probe-x"`, "the frame got a reply")
}

// placeholder matching: {{name}} in a template matches any run of
// characters up to the next quote and must be the same everywhere.
var holeRE = regexp.MustCompile(`\{\{([a-zA-Z0-9_]+)\}\}`)

// match checks got against tmpl byte for byte outside the holes and
// returns the hole values. vars pre-binds holes.
func match(t *testing.T, tmpl, got string, vars map[string]string) map[string]string {
	t.Helper()
	if vars == nil {
		vars = map[string]string{}
	}
	var re strings.Builder
	re.WriteString("^")
	var names []string
	last := 0
	for _, m := range holeRE.FindAllStringSubmatchIndex(tmpl, -1) {
		re.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
		name := tmpl[m[2]:m[3]]
		if v, ok := vars[name]; ok {
			re.WriteString(regexp.QuoteMeta(v))
		} else {
			re.WriteString(`([^"]*)`)
			names = append(names, name)
		}
		last = m[1]
	}
	re.WriteString(regexp.QuoteMeta(tmpl[last:]))
	re.WriteString("$")
	sub := regexp.MustCompile(re.String()).FindStringSubmatch(got)
	require.NotNil(t, sub, "frame mismatch\nwant %s\ngot  %s", tmpl, got)
	for i, n := range names {
		if v, ok := vars[n]; ok {
			require.Equal(t, v, sub[i+1], "hole %s differs within the frame %s", n, got)
		}
		vars[n] = sub[i+1]
	}
	return vars
}

// expand replaces holes by their values.
func expand(tmpl string, vars map[string]string) string {
	return holeRE.ReplaceAllStringFunc(tmpl, func(h string) string {
		return vars[holeRE.FindStringSubmatch(h)[1]]
	})
}
