// Package jsonrpc holds the JSON-RPC 2.0 envelope shared by the rpc client
// and the kurentotest fake server. It knows nothing of Kurento.
package jsonrpc

import (
	"encoding/json"
	"strconv"
)

// Version is the only protocol version KMS accepts.
const Version = "2.0"

// Standard JSON-RPC error codes, plus the -32000 "server error" KMS uses for
// missing or mistyped parameters and for replies to notifications.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
	CodeServerError    = -32000
)

// Request is a client-to-server request. ID is nil for a notification.
type Request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

// Error is the error member of a response.
type Error struct {
	Code    int             `json:"code"`
	Data    json.RawMessage `json:"data,omitempty"`
	Message string          `json:"message"`
}

// Response is a server reply. Exactly one of Result and Error is set; a
// Result of JSON null (closeSession) is kept as the raw bytes "null".
type Response struct {
	Error   *Error          `json:"error,omitempty"`
	ID      json.RawMessage `json:"id"`
	JSONRPC string          `json:"jsonrpc"`
	Result  json.RawMessage `json:"result,omitempty"`
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
