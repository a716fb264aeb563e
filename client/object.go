package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gokurento/kurento/internal/kms"
)

// Object is the client-side reference to one server object: its id, class
// and the session it belongs to. Typed handles are built on it. An Object
// created inside a [Tx] is pending until the transaction commits; its id
// is resolved then. Objects are safe for concurrent use.
type Object struct {
	c   *Client
	typ string
	ref atomic.Pointer[objRef]
}

// objRef is immutable; an Object swaps it when a transaction resolves.
type objRef struct {
	id    string
	gen   uint64 // session generation
	tx    *Tx    // non-nil while pending in a transaction
	index int    // operation index in tx
	err   error  // the transaction failed before creating it
}

func newObject(c *Client, typ, id string, gen uint64) *Object {
	o := &Object{c: c, typ: typ}
	o.ref.Store(&objRef{id: id, gen: gen})
	return o
}

// Object returns a reference to an existing object of class typ with the
// given id, bound to the current session. Nothing is sent; use
// [Client.Describe] to learn an unknown object's class.
func (c *Client) Object(typ, id string) *Object {
	return newObject(c, typ, id, c.sess.Load().gen)
}

// ID returns the object id ("newref:N" while pending in a transaction).
func (o *Object) ID() string { return o.ref.Load().id }

// Type returns the class name, e.g. "WebRtcEndpoint".
func (o *Object) Type() string { return o.typ }

// Client returns the client the object belongs to.
func (o *Object) Client() *Client { return o.c }

// MarshalJSON writes the object as KMS expects a reference: its id.
func (o *Object) MarshalJSON() ([]byte, error) {
	r := o.ref.Load()
	if r.err != nil {
		return nil, r.err
	}
	return json.Marshal(r.id)
}

// usable returns the ref if calls may be made on it directly. Its errors
// are found before the wire.
func (o *Object) usable() (*objRef, error) {
	if o == nil || o.c == nil {
		return nil, fmt.Errorf("%w: nil object", ErrInvalidArgument)
	}
	r := o.ref.Load()
	if r.err != nil {
		return nil, refused(r.err)
	}
	if r.gen != o.c.sess.Load().gen {
		return nil, refused(ErrSessionLost)
	}
	return r, nil
}

// Invoke calls operation on the object with params (a struct or map
// marshalled as operationParams; nil for none) and decodes the returned
// value into result (nil to ignore it). For a pending object an operation
// without result is added to its transaction instead; one with a result
// fails with [ErrPending] and queues nothing, since the value would only
// exist at commit ([Tx.Invoke] takes a result it fills then).
// Errors are *[OpError] wrapping the cause.
func (o *Object) Invoke(ctx context.Context, operation string, params, result any) error {
	r, err := o.usable()
	if err != nil {
		return &OpError{Method: kms.MethodInvoke, Operation: operation, ObjectID: o.safeID(), Err: err}
	}
	if r.tx != nil {
		if result != nil {
			return &OpError{Method: kms.MethodInvoke, Operation: operation, ObjectID: r.id, Err: refused(ErrPending)}
		}
		return r.tx.invoke(o, operation, params, nil)
	}
	return o.c.invoke(ctx, r, operation, params, result)
}

func (o *Object) safeID() string {
	if o == nil {
		return ""
	}
	return o.ID()
}

// CreateObject creates an object through the same binding as o: directly,
// or in o's transaction while o is pending. It is how constructors whose
// parent is o reach the server; params usually reference o.
func (o *Object) CreateObject(ctx context.Context, typ string, params any) (*Object, error) {
	r, err := o.usable()
	if err != nil {
		return nil, &OpError{Method: kms.MethodCreate, Class: typ, Err: err}
	}
	if r.tx != nil {
		return r.tx.CreateObject(ctx, typ, params)
	}
	return o.c.CreateObject(ctx, typ, params)
}

// Release destroys the object on the server (and, for a pipeline or hub,
// everything in it) and ends the event subscriptions made on it. Releasing
// twice, or an object already gone, succeeds, as on KMS.
func (o *Object) Release(ctx context.Context) error {
	r, err := o.usable()
	if errors.Is(err, ErrSessionLost) {
		return nil // gone with its session
	}
	if err != nil {
		return &OpError{Method: kms.MethodRelease, ObjectID: o.safeID(), Err: err}
	}
	if r.tx != nil {
		return r.tx.add(txOp{method: kms.MethodRelease, target: o, object: r.id})
	}
	return o.c.Release(ctx, r.id)
}

// Creator creates server objects: a *Client directly, a *Tx as part of a
// transaction, and an *Object through its own binding.
type Creator interface {
	CreateObject(ctx context.Context, typ string, params any) (*Object, error)
}

var (
	_ Creator = (*Client)(nil)
	_ Creator = (*Tx)(nil)
	_ Creator = (*Object)(nil)
)

// Description is what describe tells of an object.
type Description struct {
	Type          string   // e.g. "WebRtcEndpoint"
	QualifiedType string   // e.g. "kurento.WebRtcEndpoint"
	Hierarchy     []string // ancestors, nearest first, qualified
}

// Factory builds a typed handle around an object. Generated packages list
// one per class in their Module function; see [WithModule].
type Factory func(*Object) any

// Lookup asks the server what object id is (describe, which also makes this
// session a co-owner of it) and returns the typed handle of its class, or
// of its nearest ancestor, among the modules given to this client with
// [WithModule] (such as client.WithModule(endpoint.Module())); a bare
// *Object when none has it. The handle packages' typed lookups (such as
// endpoint.LookupWebRtcEndpoint) need no registration and check the class.
func (c *Client) Lookup(ctx context.Context, id string) (any, error) {
	d, err := c.Describe(ctx, id)
	if err != nil {
		return nil, err
	}
	o := c.Object(d.Type, id)
	if f := c.factory(d); f != nil {
		return f(o), nil
	}
	return o, nil
}

// HandleOf returns the typed handle of object id without asking the
// server: the class is read from the id (KMS ids end in
// "_<module>.<Class>") and the handle is built by the factory registered
// for that class among the modules given with [WithModule]; a
// bare *Object of that class when none is registered. It types the
// handles a listing returns with their static class (getChildren,
// getPipelines...), a custom module's objects included, at no cost;
// [Client.Lookup] asks the server instead, which also finds the nearest
// registered ancestor and works for ids of any shape.
func (c *Client) HandleOf(id string) any {
	class := classOf(id)
	o := c.Object(class, id)
	if class == "" {
		return o
	}
	if f := c.factory(Description{Type: class}); f != nil {
		return f(o)
	}
	return o
}

// factory finds the factory for an object described by d: of its class,
// else of its nearest ancestor, among the client's modules (WithModule).
func (c *Client) factory(d Description) Factory {
	names := []string{d.Type}
	for _, q := range d.Hierarchy {
		if i := lastDot(q); i >= 0 {
			q = q[i+1:]
		}
		names = append(names, q)
	}
	for _, name := range names {
		if f, ok := c.set.factories[name]; ok {
			return f
		}
	}
	return nil
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}
