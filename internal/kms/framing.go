package kms

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/gokurento/kurento/internal/jsonrpc"
)

// KMS writes every frame with jsoncpp's writer: object keys sorted, no
// spaces. The functions below recognise frames from that layout alone, so
// that the transport can route them without a full decode; a frame laid
// out any other way is reported as not recognised and takes the general
// path, so they are optimisations, never requirements.

const (
	// notificationHead starts every notification KMS writes: "jsonrpc",
	// "method" and "params" in this order, nothing after params.
	notificationHead = `{"jsonrpc":"2.0","method":"`
	// replyHead follows the id in a successful reply (id, jsonrpc, result).
	replyHead = `,"jsonrpc":"2.0","result":`
	idHead    = `{"id":`
)

// ReplyID recognises a successful reply laid out as KMS writes it,
// {"id":N,"jsonrpc":"2.0","result":...}, from its first bytes, and returns
// its id. The frame is not validated: the caller decodes it once, whole,
// into its own result.
func ReplyID(frame []byte) (uint64, bool) {
	rest, ok := bytes.CutPrefix(frame, []byte(idHead))
	if !ok {
		return 0, false
	}
	end := digits(rest)
	id, ok := jsonrpc.IntID(rest[:end])
	if !ok || !bytes.HasPrefix(rest[end:], []byte(replyHead)) {
		return 0, false
	}
	return id, true
}

// Notification splits a notification laid out as KMS writes it into its
// method and params without decoding it; params are a copy (the frame
// buffer may be reused) and not validated.
func Notification(frame []byte) (method string, params json.RawMessage, ok bool) {
	rest, found := bytes.CutPrefix(frame, []byte(notificationHead))
	if !found {
		return "", nil, false
	}
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return "", nil, false
	}
	method = string(rest[:end])
	body, found := bytes.CutPrefix(rest[end+1:], []byte(`,"params":`))
	body = bytes.TrimRight(body, " \t\r\n")
	if !found || len(body) < 3 || body[0] != '{' || body[len(body)-1] != '}' {
		return "", nil, false
	}
	return method, bytes.Clone(body[:len(body)-1]), true
}

// PrefixID finds the id of a reply in the first bytes of a frame, which
// KMS starts with {"id":N: how a reply too large to read, or too broken to
// decode, still names the call it answers.
func PrefixID(prefix []byte) (uint64, bool) {
	rest, ok := bytes.CutPrefix(bytes.TrimLeft(prefix, " \t\r\n"), []byte(idHead))
	if !ok {
		return 0, false
	}
	return jsonrpc.IntID(rest[:digits(rest)])
}

// digits is the length of the run of decimal digits starting b, at most 20
// (the longest uint64).
func digits(b []byte) int {
	end := 0
	for end < len(b) && end < 20 && b[end] >= '0' && b[end] <= '9' {
		end++
	}
	return end
}

// Secret reports whether the string value of the object member key must
// not be logged: session descriptions (they describe a peer's network) and
// credentials, such as TURN URLs and SDES keys. key is matched without
// case; a value is an SDP when it starts with "v=0".
func Secret(key, value string) bool {
	switch strings.ToLower(key) {
	case "offer", "answer", "sdp", "turnurl", "password", "secret", "token", "authorization", "key":
		return true
	}
	return strings.HasPrefix(value, "v=0")
}
