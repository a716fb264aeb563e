package kurentotest_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/coder/websocket"

	"github.com/gokurento/kurento/kurentotest"
)

// benchSocket is a raw socket to a fake for the benchmarks of the fake's
// own request handling: one request at a time, its reply read back.
type benchSocket struct {
	b   *testing.B
	ws  *websocket.Conn
	ctx context.Context
	id  int
}

func newBenchSocket(b *testing.B) *benchSocket {
	b.Helper()
	s := kurentotest.NewServer(b, kurentotest.WithInMemoryOnly())
	ws, err := dialWS(b.Context(), s.URL(), s.HTTPClient())
	if err != nil {
		b.Fatal(err)
	}
	ws.SetReadLimit(-1)
	b.Cleanup(func() { _ = ws.CloseNow() })
	return &benchSocket{b: b, ws: ws, ctx: b.Context()}
}

// call sends a request with the given method and params and returns the
// reply's result value (or fails on an error reply).
func (s *benchSocket) call(method, params string) json.RawMessage {
	s.id++
	req := `{"id":` + strconv.Itoa(s.id) + `,"jsonrpc":"2.0","method":"` + method + `","params":` + params + `}`
	if err := s.ws.Write(s.ctx, websocket.MessageText, []byte(req)); err != nil {
		s.b.Fatal(err)
	}
	for {
		_, data, err := s.ws.Read(s.ctx)
		if err != nil {
			s.b.Fatal(err)
		}
		var rep struct {
			ID     json.RawMessage
			Method string
			Result struct{ Value json.RawMessage }
			Error  json.RawMessage
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			s.b.Fatal(err)
		}
		if rep.Method != "" {
			continue // an event
		}
		if rep.Error != nil {
			s.b.Fatalf("%s %s: %s", method, params, rep.Error)
		}
		return rep.Result.Value
	}
}

func (s *benchSocket) create(typ, ctor string) string {
	var id string
	if err := json.Unmarshal(s.call("create", `{"type":"`+typ+`","constructorParams":`+ctor+`}`), &id); err != nil {
		s.b.Fatal(err)
	}
	return id
}

// BenchmarkFakeInvoke measures the fake answering a property getter.
func BenchmarkFakeInvoke(b *testing.B) {
	s := newBenchSocket(b)
	p := s.create("MediaPipeline", `{}`)
	params := `{"object":"` + p + `","operation":"getName"}`
	for b.Loop() {
		s.call("invoke", params)
	}
}

// BenchmarkFakeCreateRelease measures creating an element with checked
// constructor parameters, setting a struct property and releasing it.
func BenchmarkFakeCreateRelease(b *testing.B) {
	s := newBenchSocket(b)
	p := s.create("MediaPipeline", `{}`)
	ctor := `{"mediaPipeline":"` + p + `","recvonly":false,"useDataChannels":true}`
	for b.Loop() {
		id := s.create("WebRtcEndpoint", ctor)
		s.call("invoke", `{"object":"`+id+`","operation":"setRembParams","operationParams":{"rembParams":{"__module__":"kurento","__type__":"RembParams","packetsRecvIntervalTop":10,"exponentialFactor":1.5}}}`)
		s.call("release", `{"object":"`+id+`"}`)
	}
}

// BenchmarkFakeNegotiate measures an SDP negotiation: create, processOffer
// of a browser offer, gatherCandidates, release.
func BenchmarkFakeNegotiate(b *testing.B) {
	offer, err := os.ReadFile("testdata/real-kms/g_offer.sdp")
	if err != nil {
		b.Skip("no recorded offer:", err)
	}
	s := newBenchSocket(b)
	p := s.create("MediaPipeline", `{}`)
	q, _ := json.Marshal(string(offer))
	for b.Loop() {
		id := s.create("WebRtcEndpoint", `{"mediaPipeline":"`+p+`"}`)
		s.call("invoke", `{"object":"`+id+`","operation":"processOffer","operationParams":{"offer":`+string(q)+`}}`)
		s.call("invoke", `{"object":"`+id+`","operation":"gatherCandidates"}`)
		s.call("release", `{"object":"`+id+`"}`)
	}
}

// BenchmarkFakeTransaction measures a transaction of three operations with
// newref substitution.
func BenchmarkFakeTransaction(b *testing.B) {
	s := newBenchSocket(b)
	p := s.create("MediaPipeline", `{}`)
	ops := `{"operations":[` +
		`{"id":0,"jsonrpc":"2.0","method":"create","params":{"type":"PassThrough","constructorParams":{"mediaPipeline":"` + p + `"}}},` +
		`{"id":1,"jsonrpc":"2.0","method":"invoke","params":{"object":"newref:0","operation":"getName"}},` +
		`{"id":2,"jsonrpc":"2.0","method":"release","params":{"object":"newref:0"}}]}`
	for b.Loop() {
		s.call("transaction", ops)
	}
}
