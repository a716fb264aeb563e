package client

import (
	"encoding/json"
	"fmt"

	"github.com/gokurento/kurento/internal/jsonrpc"
)

// req encodes the params of one Kurento request straight into the frame,
// when the frame is written: the session id is the one current at that
// moment, and a request bound to a lost session fails before the wire.
type req struct {
	c   *Client
	gen uint64 // session generation the target objects belong to; 0: any

	object    string // "object"
	operation string // "operation"
	typ       string // "type"
	subID     string // "subscription"
	payloadAs string // name of the user payload member, e.g. "operationParams"
	payload   any    // user params, marshalled with encoding/json
	release   bool   // closeSession "release"
	ops       []json.RawMessage
}

func (r *req) AppendParams(b []byte) ([]byte, error) {
	s := r.c.sess.Load()
	if r.gen != 0 && r.gen != s.gen {
		return b, ErrSessionLost
	}
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
	}
	if r.object != "" {
		field("object")
		b = jsonrpc.AppendString(b, r.object)
	}
	if r.operation != "" {
		field("operation")
		b = jsonrpc.AppendString(b, r.operation)
	}
	if r.typ != "" {
		field("type")
		b = jsonrpc.AppendString(b, r.typ)
	}
	if r.subID != "" {
		field("subscription")
		b = jsonrpc.AppendString(b, r.subID)
	}
	if r.payloadAs != "" && r.payload != nil {
		p, err := marshalPayload(r.payload)
		if err != nil {
			return b, err
		}
		field(r.payloadAs)
		b = append(b, p...)
	}
	if r.ops != nil {
		field("operations")
		b = append(b, '[')
		for i, op := range r.ops {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, op...)
		}
		b = append(b, ']')
	}
	if r.release {
		field("release")
		b = append(b, "true"...)
	}
	field("sessionId")
	b = jsonrpc.AppendString(b, s.id)
	return append(b, '}'), nil
}

func marshalPayload(v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return nil, fmt.Errorf("%w: params are not valid JSON", ErrInvalidArgument)
		}
		return raw, nil
	}
	p, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding params: %w", ErrInvalidArgument, err)
	}
	return p, nil
}
