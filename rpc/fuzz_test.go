package rpc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/jsonrpc"
	"github.com/gokurento/kurento/internal/kms"
)

// serverFrames reads the frames a real KMS (and the protocol transcripts)
// sent to clients, one per line.
func serverFrames(tb testing.TB) [][]byte {
	tb.Helper()
	f, err := os.Open("testdata/server-frames.jsonl")
	require.NoError(tb, err)
	defer func() { _ = f.Close() }()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	require.NoError(tb, sc.Err())
	require.NotEmpty(tb, out)
	return out
}

// FuzzRoute feeds arbitrary bytes through the read path's decoding: the
// frame routing (reply, error reply, notification, junk), the id sniffing
// of oversized frames and the decoding of a reply into a caller's result.
// Nothing may panic; a reply reaches the call with its id and only that.
func FuzzRoute(f *testing.F) {
	for _, fr := range serverFrames(f) {
		f.Add(fr)
	}
	for _, s := range []string{
		``, `null`, `[]`, `"x"`, `{"id":1}`, `{"id":1,"result":null}`, `{"id":1,"result":[1,2]}`,
		`{"id":18446744073709551615,"result":{}}`, `{"id":18446744073709551616,"result":{}}`,
		`{"id":-1,"result":{}}`, `{"id":1.5,"result":{}}`, `{"id":"1","result":{}}`, `  {"id":0012,"error":{}}`,
		`{"id":1,"error":{"code":"x"}}`, `{"id":1,"error":null,"result":{"value":1}}`,
		`{"id":2,"error":{"code":40101,"message":"m","data":null}}`,
		`{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"type":"X"}}}`,
		`{"jsonrpc":"2.0","id":7,"method":"serverRequest"}`, `{"method":"","id":1,"result":{}}`,
		`{"id":1,"jsonrpc":"2.0","result":{"value":"x"},"id":2}`, `{"id":1,"jsonrpc":"2.0","result":{},"method":"x"}`,
		`{"id":1,"jsonrpc":"2.0","result":{"value":1},"error":{"code":1,"message":"m"}}`,
		`{"id":1,"jsonrpc":"2.0","result":{"sessionId":"s","value":{"a":[1,"b",null]}}}`,
		`{"id":1,"jsonrpc":"2.0","result":{`, `{"id":1,"jsonrpc":"2.0","result":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		c := &Conn{log: slog.New(slog.DiscardHandler)}
		c.cfg.Dialect = kmsDialect()
		c.calls.m = make(map[uint64]*call)
		var notified int
		c.cfg.OnNotification = func(string, json.RawMessage) { notified++ }

		// A call waits for the id the frame names, if it names one.
		var m jsonrpc.Message
		valid := json.Unmarshal(frame, &m) == nil
		id, idOK := jsonrpc.IntID(m.ID)
		if pid, ok := kms.PrefixID(frame); ok {
			require.True(t, bytes.HasPrefix(bytes.TrimLeft(frame, " \t\r\n"), []byte(`{"id":`)))
			if !idOK {
				id = pid
			}
		}
		cl := &call{id: id, method: "m", reply: make(chan reply, 1)}
		c.calls.add(cl)

		c.route(frame)

		select {
		case r := <-cl.reply:
			if r.frame != nil {
				checkFastReply(t, frame, r, cl.id, valid, &m)
				break
			}
			if !valid {
				// A broken envelope that names its call fails that call.
				_, named := kms.PrefixID(frame)
				require.True(t, named, "only a reply naming the call is delivered")
				require.ErrorIs(t, r.local, ErrMalformedReply)
				break
			}
			wantID, _ := jsonrpc.IntID(m.ID)
			if !m.IsResponse() {
				// A request carrying the id of a call in flight (an echo)
				// fails that call.
				require.ErrorIs(t, r.local, ErrMalformedReply, "only a reply is delivered")
				require.Equal(t, wantID, cl.id)
				require.True(t, Answered(r.into(cl.id, "m", nil)))
				break
			}
			require.Equal(t, wantID, cl.id)
			require.Zero(t, notified)
			// Decoding into results of any shape fails cleanly or not at all.
			for _, dst := range resultShapes() {
				err := r.into(cl.id, "m", dst)
				if m.Error != nil {
					var se *Error
					require.ErrorAs(t, err, &se)
					require.Equal(t, m.Error.Code, se.Code)
				}
			}
		default:
			// The fast path routes by the leading id; a repeated id key
			// sends the frame elsewhere (where it fails as malformed).
			fid, fast := kms.ReplyID(frame)
			require.False(t, valid && m.IsResponse() && idOK && (!fast || fid == id),
				"a reply with a usable id was not delivered: %s", frame)
		}
		if notified > 0 {
			// KMS-shaped notifications skip the envelope decode; their
			// params are validated by the handler that decodes them.
			_, _, fast := kms.Notification(frame)
			require.True(t, fast || (valid && !m.IsResponse()))
		}
	})
}

// resultShapes are results of several shapes a caller may decode into.
func resultShapes() []any {
	var obj struct {
		Value     json.RawMessage `json:"value"`
		SessionID string          `json:"sessionId"`
	}
	var n int
	var s string
	var anything any
	var value struct {
		Value any `json:"value"`
	}
	return []any{&obj, &n, &s, &anything, &value, nil}
}

// checkFastReply is the differential check of the reply fast path: a frame
// routed by its leading id and decoded once by the caller gives the caller
// what the general path (envelope decode on the read loop, then the
// result) gives, for results of every shape; a frame the general path
// would not deliver to this call fails it as malformed.
func checkFastReply(t *testing.T, frame []byte, r reply, id uint64, valid bool, m *jsonrpc.Message) {
	t.Helper()
	fid, fast := kms.ReplyID(frame)
	require.True(t, fast, "only KMS-shaped replies skip the envelope")
	require.Equal(t, fid, id)
	wantID, idOK := jsonrpc.IntID(m.ID)
	fastShapes, slowShapes := resultShapes(), resultShapes()
	for i := range fastShapes {
		err := r.into(id, "m", fastShapes[i])
		if !valid || !idOK || wantID != id || !m.IsResponse() {
			require.ErrorIs(t, err, ErrMalformedReply, "%s", frame)
			require.True(t, Answered(err), "the server answered, even if badly")
			continue
		}
		general := replyOf(m)
		want := general.into(id, "m", slowShapes[i])
		require.Equal(t, want == nil, err == nil, "fast %v, general %v: %s", err, want, frame)
		var se, wse *Error
		require.Equal(t, errors.As(want, &wse), errors.As(err, &se))
		if wse != nil {
			require.Equal(t, *wse, *se)
		}
		if err == nil { // what a failed call left in its result is unspecified
			require.Equal(t, slowShapes[i], fastShapes[i], "%s", frame)
		}
	}
}
