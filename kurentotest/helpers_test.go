package kurentotest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	// sessions seen in the replies, released when the test ends on a
	// real server (a shared KMS must not pile up the objects of every
	// test).
	mu       sync.Mutex
	sessions map[string]bool
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
	w := &wsConn{t: t, ws: ws}
	t.Cleanup(func() {
		_ = ws.CloseNow()
		if tg.fake == nil {
			tg.releaseSessions(w.seen())
		}
	})
	return w
}

func (w *wsConn) seen() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for s := range w.sessions {
		out = append(out, s)
	}
	return out
}

var sessionIDRE = regexp.MustCompile(`"sessionId":"([^"]+)"`)

// releaseSessions closes sessions with release on a fresh socket, so that
// their objects go. Errors do not matter: the session may be gone.
func (tg target) releaseSessions(sids []string) {
	if len(sids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := dialWS(ctx, tg.url, tg.client)
	if err != nil {
		return
	}
	defer func() { _ = ws.CloseNow() }()
	for i, sid := range sids {
		f := `{"jsonrpc":"2.0","id":"cleanup-` + strconv.Itoa(i) + `","method":"closeSession","params":{"sessionId":"` + sid + `","release":true}}`
		if ws.Write(ctx, websocket.MessageText, []byte(f)) != nil {
			return
		}
		for { // events of the released objects may come first
			_, b, err := ws.Read(ctx)
			if err != nil || strings.Contains(string(b), `"id":"cleanup-`) {
				break
			}
		}
	}
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
	// A guard against a hang, not a measure: a shared real KMS on a
	// loaded machine can take seconds.
	ctx, cancel := context.WithTimeout(w.t.Context(), 30*time.Second)
	defer cancel()
	_, b, err := w.ws.Read(ctx)
	require.NoError(w.t, err)
	if m := sessionIDRE.FindSubmatch(b); m != nil && !bytes.Contains(b, []byte(`"method":"onEvent"`)) {
		w.mu.Lock()
		if w.sessions == nil {
			w.sessions = map[string]bool{}
		}
		w.sessions[string(m[1])] = true
		w.mu.Unlock()
	}
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
	v, ok := tryMatch(tmpl, got, vars)
	require.True(t, ok, "frame mismatch\nwant %s\ngot  %s", tmpl, got)
	return v
}

// tryMatch is match without the test: ok false on a mismatch.
func tryMatch(tmpl, got string, vars map[string]string) (map[string]string, bool) {
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
	if sub == nil {
		return vars, false
	}
	for i, n := range names {
		if v, ok := vars[n]; ok && v != sub[i+1] {
			return vars, false // a hole must have one value within the frame
		}
		vars[n] = sub[i+1]
	}
	return vars, true
}

// expand replaces holes by their values.
func expand(tmpl string, vars map[string]string) string {
	return holeRE.ReplaceAllStringFunc(tmpl, func(h string) string {
		return vars[holeRE.FindStringSubmatch(h)[1]]
	})
}

// invokeFrame is the frame of an invoke request with a fresh id.
func invokeFrame(obj, op, params string) string {
	f := `{"jsonrpc":"2.0","id":` + nid() + `,"method":"invoke","params":{"object":"` + obj + `","operation":"` + op + `"`
	if params != "" {
		f += `,"operationParams":` + params
	}
	return f + `}}`
}

// until sends a frame and reads until its reply has come and done says
// the events read so far are enough: a real KMS may send the events a call
// causes after its reply. It returns the reply and every event read.
func (w *wsConn) until(frame string, done func(reply string, events []string) bool) (reply string, events []string) {
	w.t.Helper()
	defer func() {
		if w.t.Failed() {
			w.t.Logf("until %s: reply %s, events %q", frame, reply, events)
		}
	}()
	w.send(frame)
	for reply == "" || !done(reply, events) {
		f := w.recv()
		if strings.Contains(f, `"method":"onEvent"`) {
			events = append(events, f)
			continue
		}
		require.Empty(w.t, reply, "a second reply %s", f)
		reply = f
	}
	return reply, events
}

// collect is until with, for each of want, an event containing it (one
// event per want, in any order). It returns the reply and the events that
// matched, in want's order; other events read are dropped (on a shared
// server they can be ServerManager events of other sessions).
func (w *wsConn) collect(frame string, want ...string) (reply string, matched []string) {
	w.t.Helper()
	reply, _ = w.until(frame, func(_ string, events []string) bool {
		matched = matchEach(events, want)
		return matched != nil
	})
	return reply, matched
}

// matchEach gives, for each of want, a distinct event containing it, or
// nil if some want has none.
func matchEach(events, want []string) []string {
	used := make([]bool, len(events))
	out := make([]string, 0, len(want))
	for _, s := range want {
		i := slices.IndexFunc(events, func(e string) bool { return strings.Contains(e, s) })
		for i >= 0 && used[i] {
			j := slices.IndexFunc(events[i+1:], func(e string) bool { return strings.Contains(e, s) })
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			return nil
		}
		used[i] = true
		out = append(out, events[i])
	}
	return out
}

// about keeps the events that mention one of ids.
func about(events []string, ids ...string) []string {
	var out []string
	for _, e := range events {
		for _, id := range ids {
			if strings.Contains(e, `"`+id+`"`) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}
