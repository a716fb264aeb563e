package kurentotest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
)

// The replay tests play the client side of frames recorded against a real
// KMS 7.3 (testdata/*.frames.txt, copied from real-kms/) and require the
// fake's replies to be byte-identical, up to the UUIDs the server makes up
// (mapped consistently) and timestamps. They run in a synctest bubble so
// the recorded pauses (the 21 s wait for the reply cache) take no time.

var (
	uuidRE  = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	tsRE    = regexp.MustCompile(`"timestampMillis":"[0-9]+"`)
	frameRE = regexp.MustCompile(`^([0-9.]+) (\S+) (>>|<<|--) ?(.*)$`)
)

// Operations whose results depend on the server's history or media stack,
// not on the protocol: only their presence is checked.
var looseOps = map[string]bool{
	"getPipelines": true, "getSessions": true, "getInfo": true, "getUsedMemory": true,
	"getKmd": true, "processOffer": true, "getLocalSessionDescriptor": true,
	"getGstreamerDot": true, "getElementGstreamerDot": true, "generateOffer": true,
	"processAnswer": true,
}

type replayLine struct {
	at    time.Duration
	sock  string
	dir   string
	frame string
}

func readFrames(t *testing.T, path string) []replayLine {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }() // read-only: a close error changes nothing
	var out []replayLine
	var base float64 = -1
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		m := frameRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ts, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		if base < 0 {
			base = ts
		}
		out = append(out, replayLine{at: time.Duration((ts - base) * float64(time.Second)), sock: m[2], dir: m[3], frame: m[4]})
	}
	require.NoError(t, sc.Err())
	return out
}

type replayer struct {
	t     *testing.T
	srv   *kurentotest.Server
	start time.Time
	socks map[string]*websocket.Conn
	// real → fake UUIDs
	ids map[string]string
	// per socket: request id → operation or method
	ops  map[string]map[string]string
	skip map[string]bool // "<sock> <id>" pairs not replayed
	// lenient reports every mismatching frame instead of stopping at the
	// first.
	lenient bool
}

func (r *replayer) waitUntil(at time.Duration) {
	if d := time.Until(r.start.Add(at)); d > 0 {
		tm := time.NewTimer(d)
		<-tm.C
	}
}

func reqKey(frame string) (id, op string) {
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			Operation string `json:"operation"`
		} `json:"params"`
	}
	if json.Unmarshal([]byte(frame), &m) != nil {
		return "", ""
	}
	op = m.Method
	if m.Params.Operation != "" {
		op = m.Params.Operation
	}
	return string(m.ID), op
}

func (r *replayer) run(lines []replayLine) {
	t := r.t
	for _, l := range lines {
		r.waitUntil(l.at)
		switch l.dir {
		case "--":
			switch {
			case strings.HasPrefix(l.frame, "OPEN"):
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				ws, err := dialWS(ctx, r.srv.URL(), r.srv.HTTPClient())
				cancel()
				require.NoError(t, err)
				ws.SetReadLimit(-1)
				r.socks[l.sock] = ws
				t.Cleanup(func() { _ = ws.CloseNow() })
			case strings.HasPrefix(l.frame, "DROPPED"):
				// The server dropped the socket: the next read fails.
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				_, b, err := r.socks[l.sock].Read(ctx)
				cancel()
				require.Error(t, err, "the server kept the socket, sent %s", b)
				delete(r.socks, l.sock)
			case strings.HasPrefix(l.frame, "TERMINATE"), strings.HasPrefix(l.frame, "CLOSE"):
				if ws := r.socks[l.sock]; ws != nil {
					_ = ws.CloseNow()
					delete(r.socks, l.sock)
				}
			}
		case ">>":
			id, op := reqKey(l.frame)
			if r.skip[l.sock+" "+id] {
				continue
			}
			if r.ops[l.sock] == nil {
				r.ops[l.sock] = map[string]string{}
			}
			r.ops[l.sock][id] = op
			frame := uuidRE.ReplaceAllStringFunc(l.frame, func(u string) string {
				if f, ok := r.ids[u]; ok {
					return f
				}
				return u
			})
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			require.NoError(t, r.socks[l.sock].Write(ctx, websocket.MessageText, []byte(frame)))
			cancel()
		case "<<":
			id, _ := reqKey(l.frame)
			if r.skip[l.sock+" "+id] {
				continue
			}
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			_, got, err := r.socks[l.sock].Read(ctx)
			cancel()
			require.NoError(t, err, "waiting for %s", l.frame)
			if looseOps[r.ops[l.sock][id]] && !strings.HasPrefix(l.frame, `{"error"`) {
				require.Contains(t, string(got), `"id":`+id+`,"jsonrpc":"2.0","result":{`)
				continue
			}
			r.matchFrame(l.frame, string(got))
		}
	}
}

// matchFrame compares a recorded reply with the fake's, learning the
// mapping of server-made UUIDs.
func (r *replayer) matchFrame(want, got string) {
	t := r.t
	want = tsRE.ReplaceAllString(want, `"timestampMillis":"{{ts}}"`)
	vars := map[string]string{}
	var holes []string
	tmpl := uuidRE.ReplaceAllStringFunc(want, func(u string) string {
		if f, ok := r.ids[u]; ok {
			return f
		}
		holes = append(holes, u)
		return "{{u" + strconv.Itoa(len(holes)-1) + "}}"
	})
	// A UUID seen twice in one frame must map to the same value.
	seen := map[string]string{}
	for i, u := range holes {
		if first, ok := seen[u]; ok {
			tmpl = strings.Replace(tmpl, "{{u"+strconv.Itoa(i)+"}}", "{{"+first+"}}", 1)
			continue
		}
		seen[u] = "u" + strconv.Itoa(i)
	}
	got = tsRE.ReplaceAllString(got, `"timestampMillis":"0"`)
	vars["ts"] = "0"
	if r.lenient {
		// Report the difference and go on, mapping the UUIDs by position.
		if v, ok := tryMatch(tmpl, got, vars); ok {
			vars = v
		} else {
			t.Errorf("frame mismatch\nwant %s\ngot  %s", want, got)
			wu, gu := uuidRE.FindAllString(want, -1), uuidRE.FindAllString(got, -1)
			for i := range min(len(wu), len(gu)) {
				if _, ok := r.ids[wu[i]]; !ok {
					r.ids[wu[i]] = gu[i]
				}
			}
			return
		}
	} else {
		vars = match(t, tmpl, got, vars)
	}
	for u, h := range seen {
		r.ids[u] = vars[h]
	}
}

func replay(t *testing.T, file string, skip ...string) {
	t.Helper()
	replayPath(t, filepath.Join("testdata", file), skip...)
}

// replayPath replays a frames file; skip names "<socket> <id>" pairs.
func replayPath(t *testing.T, path string, skip ...string) {
	t.Helper()
	replayWith(t, path, false, skip...)
}

func replayWith(t *testing.T, path string, lenient bool, skip ...string) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		srv := kurentotest.NewServer(t)
		r := &replayer{
			t: t, srv: srv, start: time.Now(),
			socks: map[string]*websocket.Conn{}, ids: map[string]string{},
			ops: map[string]map[string]string{}, skip: map[string]bool{}, lenient: lenient,
		}
		for _, s := range skip {
			r.skip[s] = true
		}
		r.run(readFrames(t, path))
	})
}

func TestReplayReplyCache(t *testing.T) {
	t.Parallel()
	// The same id sent at the same moment on two sockets runs twice on a
	// real KMS (both in flight); the fake runs requests one at a time, so
	// the second is answered from the cache. Not replayed.
	replay(t, "a_cache.frames.txt", "A1 61", "A3 61")
}

func TestReplayReconnect(t *testing.T) {
	t.Parallel()
	replay(t, "b_reconnect.frames.txt")
}

func TestReplayConnectPing(t *testing.T) {
	t.Parallel()
	replay(t, "c_connect_ping.frames.txt")
}

func TestReplayVoidAndErrors(t *testing.T) {
	t.Parallel()
	replay(t, "ef_void_errors.frames.txt")
}

func TestReplayServerInfo(t *testing.T) {
	t.Parallel()
	replay(t, "i_serverinfo.frames.txt")
}

func TestReplayEventsAfterReconnect(t *testing.T) {
	t.Parallel()
	replay(t, "j_events_after_reconnect.frames.txt")
}

// TestReplayWire replays the wire comparison's recording (see
// wire_integration_test.go): every property of every class, the
// constructors, malformed requests, transactions, batches.
func TestReplayWire(t *testing.T) {
	t.Parallel()
	replay(t, "k_wire.frames.txt")
}
