package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/gokurento/kurento/types"
)

// This file holds the runtime support for generated code: the typed
// handle packages (element, pipeline, endpoint, hub, filter) and the
// packages cmd/kurento-gen writes for custom modules call these functions
// instead of carrying a copy each. They are exported for use by generated
// code; applications have no reason to call them, and their signatures
// follow the generator rather than the compatibility promise of the rest
// of the package.

// GeneratedCodeV1 is referenced by generated handle packages
// (`const _ = client.GeneratedCodeV1`), so that code generated for a newer
// runtime fails to compile against an older one.
const GeneratedCodeV1 = 1

// Handle is what every generated handle implements: the object reference
// behind it, nil for a nil handle.
type Handle interface {
	Object() *Object
}

// ArgError reports an argument refused before anything was sent: an
// *[OpError] for JSON-RPC method ("create" or "invoke") and target (the
// class created, or the operation invoked on o; o is nil for a create),
// matching [ErrInvalidArgument].
//
// It is for generated code.
func ArgError(o *Object, method, target string, err error) error {
	e := &OpError{Method: method, ObjectID: o.safeID(), Err: fmt.Errorf("%w: %w", ErrInvalidArgument, err)}
	if method == "create" {
		e.Class = target
	} else {
		e.Operation = target
	}
	return e
}

// InvalidEnum reports an unknown value of enum given as argument name:
// [ArgError] wrapping a [*types.InvalidEnumError].
//
// It is for generated code.
func InvalidEnum(o *Object, method, target, name, enum, value string) error {
	return ArgError(o, method, target, fmt.Errorf("%s: %w", name, &types.InvalidEnumError{Enum: enum, Value: value}))
}

// EmptyArg reports an empty argument name the server would refuse (a
// session description): [ArgError] without a round trip.
//
// It is for generated code.
func EmptyArg(o *Object, method, target, name string) error {
	return ArgError(o, method, target, fmt.Errorf("empty %s", name))
}

// DecodeError reports a returned value of operation that did not
// decode: the server answered, so the failure is not local.
//
// It is for generated code.
func DecodeError(o *Object, operation string, err error) error {
	return &OpError{Method: "invoke", Operation: operation, ObjectID: o.safeID(), Err: UnusableAnswer(fmt.Errorf("decoding the returned value: %w", err))}
}

// RefArg returns the object behind handle h, given as argument name. A nil
// handle (untyped, or a typed nil pointer, whose Object method returns
// nil) fails, and so does the handle of a client other than self's when
// self is not nil.
//
// It is for generated code.
func RefArg(self *Object, name string, h Handle) (*Object, error) {
	if h == nil {
		return nil, fmt.Errorf("%s: nil handle", name)
	}
	o := h.Object()
	if o == nil {
		return nil, fmt.Errorf("%s: nil handle", name)
	}
	if self != nil && o.Client() != self.Client() {
		return nil, fmt.Errorf("%s: handle of another client", name)
	}
	return o, nil
}

// CheckCreator fails with [ArgError] when cr is nil, untyped or a typed
// nil *Client, *Tx or *Object, for a create of class typ.
//
// It is for generated code.
func CheckCreator(cr Creator, typ string) error {
	var isNil bool
	switch v := cr.(type) {
	case nil:
		isNil = true
	case *Client:
		isNil = v == nil
	case *Tx:
		isNil = v == nil
	case *Object:
		isNil = v == nil
	}
	if isNil {
		return ArgError(nil, "create", typ, errors.New("nil creator"))
	}
	return nil
}

// LookupClass asks the server what object id is (describe, which also
// makes this session a co-owner of it) and returns its reference when it
// is of class class or of a subclass of it, for the generated Lookup<Class>
// functions. Another class fails with an error matching [ErrWrongClass].
func LookupClass(ctx context.Context, c *Client, id, class string) (*Object, error) {
	if c == nil {
		return nil, &OpError{Method: "describe", ObjectID: id, Err: fmt.Errorf("%w: nil client", ErrInvalidArgument)}
	}
	d, err := c.Describe(ctx, id)
	if err != nil {
		return nil, err
	}
	if !d.Is(class) {
		return nil, &OpError{Method: "describe", ObjectID: id, Err: fmt.Errorf("%w: %s is not %s", ErrWrongClass, d.Type, class)}
	}
	return c.Object(d.Type, id), nil
}

// LookupAs is [LookupClass] returning the handle wrap builds, such as
// endpoint.WebRtcEndpointFromObject; the generated Lookup<Class> functions
// are written with it.
func LookupAs[H any](ctx context.Context, c *Client, id, class string, wrap func(*Object) H) (H, error) {
	o, err := LookupClass(ctx, c, id, class)
	if err != nil {
		var zero H
		return zero, err
	}
	return wrap(o), nil
}

// Is reports whether the described object is of class (unqualified, such
// as "Endpoint") or of a subclass of it.
func (d Description) Is(class string) bool {
	if d.Type == class {
		return true
	}
	for _, q := range d.Hierarchy {
		if i := lastDot(q); i >= 0 {
			q = q[i+1:]
		}
		if q == class {
			return true
		}
	}
	return false
}
