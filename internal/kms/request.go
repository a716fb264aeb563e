package kms

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gokurento/kurento/internal/jsonrpc"
)

// Params are the params of one Kurento request. Empty members are left
// out, as KMS expects; Payload goes under PayloadAs
// ([ParamConstructorParams] or [ParamOperationParams]) when not nil.
type Params struct {
	Object       string // "object": the target of invoke, describe, release, subscribe
	Operation    string // "operation": the operation of an invoke
	Type         string // "type": the class of a create, the event of a subscribe
	Subscription string // "subscription": the id of an unsubscribe
	PayloadAs    string // member holding Payload
	// Payload is marshalled with encoding/json; a json.RawMessage is
	// copied as it is once checked to be valid JSON.
	Payload    any
	Operations []json.RawMessage // "operations": the sub-frames of a transaction
	Release    bool              // "release": closeSession also releases the session's objects
}

// ErrPayload marks a Payload that could not be encoded: the request was
// refused before anything was sent.
var ErrPayload = errors.New("params could not be encoded")

// Append appends p as the JSON object KMS expects, with sessionId last
// (omitted when empty). Members come in a fixed order (object, operation,
// type, subscription, payload, operations, release, sessionId); KMS reads
// them by name.
func (p *Params) Append(b []byte, sessionID string) ([]byte, error) {
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
	if p.Object != "" {
		field(ParamObject)
		b = jsonrpc.AppendString(b, p.Object)
	}
	if p.Operation != "" {
		field(ParamOperation)
		b = jsonrpc.AppendString(b, p.Operation)
	}
	if p.Type != "" {
		field(ParamType)
		b = jsonrpc.AppendString(b, p.Type)
	}
	if p.Subscription != "" {
		field(ParamSubscription)
		b = jsonrpc.AppendString(b, p.Subscription)
	}
	if p.PayloadAs != "" && p.Payload != nil {
		field(p.PayloadAs)
		var err error
		if b, err = appendPayload(b, p.Payload); err != nil {
			return b, err
		}
	}
	if p.Operations != nil {
		field(ParamOperations)
		b = append(b, '[')
		for i, op := range p.Operations {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, op...)
		}
		b = append(b, ']')
	}
	if p.Release {
		field(ParamRelease)
		b = append(b, "true"...)
	}
	if sessionID != "" {
		field(ParamSessionID)
		b = jsonrpc.AppendString(b, sessionID)
	}
	return append(b, '}'), nil
}

func appendPayload(b []byte, v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return b, fmt.Errorf("%w: not valid JSON", ErrPayload)
		}
		return append(b, raw...), nil
	}
	p, err := json.Marshal(v)
	if err != nil {
		return b, fmt.Errorf("%w: %w", ErrPayload, err)
	}
	return append(b, p...), nil
}

// AppendTxOp appends operation i of a transaction: the complete JSON-RPC
// request KMS expects inside "operations", whose id is its index (the N
// of "newref:N"). method is [MethodCreate], [MethodInvoke] or
// [MethodRelease].
func AppendTxOp(b []byte, i int, method string, p *Params, sessionID string) ([]byte, error) {
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `,"method":`...)
	b = jsonrpc.AppendString(b, method)
	b = append(b, `,"params":`...)
	b, err := p.Append(b, sessionID)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}
