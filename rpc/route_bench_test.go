package rpc

import (
	"encoding/json"
	"log/slog"
	"testing"
)

// BenchmarkRoute is the read loop's routing of the two frames that make
// the bulk of KMS traffic, a successful reply and an onEvent notification,
// with the KMS dialect (routed from their first bytes) and without one
// (decoded on the read loop).
func BenchmarkRoute(b *testing.B) {
	replyFrame := []byte(`{"id":7,"jsonrpc":"2.0","result":{"sessionId":"2f3c8d2e-0d47-4e7c-9a6b-3a9a6f1f5f10","value":"WebRtcEndpoint"}}`)
	event := []byte(`{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{"candidate":{"__module__":"kurento","__type__":"IceCandidate","candidate":"candidate:1 1 UDP 2015363327 127.0.0.1 40001 typ host","sdpMLineIndex":0,"sdpMid":"0"},"source":"p/e","tags":[],"timestampMillis":"1795253988993","type":"IceCandidateFound"},"object":"p/e","type":"IceCandidateFound"}}}`)
	for _, d := range []struct {
		name    string
		dialect Dialect
	}{{"kms", kmsDialect()}, {"none", Dialect{}}} {
		c := &Conn{log: slog.New(slog.DiscardHandler)}
		c.cfg.Dialect = d.dialect
		c.calls.m = make(map[uint64]*call)
		c.cfg.OnNotification = func(string, json.RawMessage) {}
		cl := &call{id: 7, method: "invoke", reply: make(chan reply, 1)}
		b.Run("reply/"+d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.calls.add(cl)
				c.route(replyFrame)
				<-cl.reply
			}
		})
		b.Run("event/"+d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.route(event)
			}
		})
	}
}
