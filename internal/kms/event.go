package kms

import (
	"bytes"
	"encoding/json"

	"github.com/gokurento/kurento/internal/jsonrpc"
)

// EventParams are the params of an onEvent notification.
type EventParams struct {
	Value EventValue `json:"value"`
}

// EventValue is an event as KMS sends it: the id of the object the
// subscription was made on, the event type and its data (which carries
// the type again, the source, timestampMillis and tags).
type EventValue struct {
	Data   json.RawMessage `json:"data"`
	Object string          `json:"object"`
	Type   string          `json:"type"`
}

// AppendOnEvent appends a complete onEvent notification as KMS writes it
// (keys sorted, no spaces); data must be a JSON object.
func AppendOnEvent(b []byte, object, typ string, data []byte) []byte {
	b = append(b, `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":`...)
	b = append(b, data...)
	b = append(b, `,"object":`...)
	b = jsonrpc.AppendString(b, object)
	b = append(b, `,"type":`...)
	b = jsonrpc.AppendString(b, typ)
	return append(b, `}}}`...)
}

// The fixed parts of onEvent params as KMS writes them: its JSON writer
// sorts keys and adds no spaces.
const (
	eventHead   = `{"value":{"data":`
	eventObject = `,"object":"`
	eventType   = `","type":"`
	eventTail   = `"}}`
)

// SplitEventParams cuts onEvent params laid out exactly as KMS writes them
// without decoding anything; data is not validated. Object ids and event
// types must be plain ASCII without escapes; anything else returns false
// and is left to encoding/json.
func SplitEventParams(p []byte) (object, typ string, data []byte, ok bool) {
	rest, ok := bytes.CutPrefix(p, []byte(eventHead))
	if !ok {
		return "", "", nil, false
	}
	if rest, ok = bytes.CutSuffix(rest, []byte(eventTail)); !ok {
		return "", "", nil, false
	}
	i := bytes.LastIndexByte(rest, '"')
	if i < 0 || !plainName(rest[i+1:]) {
		return "", "", nil, false
	}
	t := rest[i+1:]
	if rest, ok = bytes.CutSuffix(rest[:i+1], []byte(eventType)); !ok {
		return "", "", nil, false
	}
	j := bytes.LastIndexByte(rest, '"')
	if j < 0 || !plainName(rest[j+1:]) {
		return "", "", nil, false
	}
	obj := rest[j+1:]
	data, ok = bytes.CutSuffix(rest[:j+1], []byte(eventObject))
	if !ok || len(data) < 2 || data[0] != '{' || data[len(data)-1] != '}' {
		return "", "", nil, false
	}
	return string(obj), string(t), data, true
}

// plainName reports whether b is non-empty printable ASCII needing no
// escape in a JSON string.
func plainName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
