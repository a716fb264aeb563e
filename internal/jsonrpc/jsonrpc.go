// Package jsonrpc holds the generic JSON-RPC 2.0 envelope: the frame
// decoded once to tell a request from a reply, the error member, numeric
// ids and the string encoding of the request writers. It knows nothing of
// Kurento.
//
// It is a package of its own, not part of rpc, because two layers need it
// that may not import each other: rpc, the generic transport, and
// internal/kms, the Kurento protocol, whose encoders and frame recognisers
// write and read the same envelope (rpc must not import internal/kms, and
// kms, a leaf, must not import rpc).
package jsonrpc

import (
	"encoding/json"
	"strconv"
)

// Error is the error member of a response.
type Error struct {
	Code    int             `json:"code"`
	Data    json.RawMessage `json:"data,omitempty"`
	Message string          `json:"message"`
}

// Message is any frame: request, notification or response. Decoding a frame
// into Message once tells which it is without a second pass.
type Message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// IsResponse reports whether m is a reply (it has no method).
func (m *Message) IsResponse() bool { return m.Method == "" }

// IntID parses a numeric id. Ids are always unsigned integers when this SDK
// sends them; anything else (a string, null, a fraction) is reported as false.
func IntID(raw json.RawMessage) (uint64, bool) {
	if len(raw) == 0 || raw[0] < '0' || raw[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(raw), 10, 64)
	return n, err == nil
}

// AppendString appends s as a JSON string. Method names, ids and class
// names are plain ASCII in practice and are copied as they are; anything
// that needs escaping takes encoding/json's path.
func AppendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
