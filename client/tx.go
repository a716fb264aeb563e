package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gokurento/kurento/internal/kms"
)

// Tx batches creates and invokes into one `transaction` request: building
// a pipeline of N elements and their connections costs one round trip.
//
// Typed constructors accept a *Tx wherever they accept a client, and
// methods of objects created in the transaction are added to it instead of
// being sent. Those objects are pending until [Tx.Commit]; their ids
// ("newref:N" meanwhile) resolve then, and so do the values of invokes
// added with [Tx.Invoke] and a result. A method that returns a value,
// called on a pending object, fails with [ErrPending] instead of returning
// a value that does not exist yet. KMS runs the operations in order and stops at the first failure
// without rolling back: Commit reports it as a *[TxError] with its index.
// A Tx is safe for concurrent use but is meant to be built by one goroutine.
type Tx struct {
	c *Client

	mu        sync.Mutex
	ops       []txOp
	committed bool
}

type txOp struct {
	method    string // create, invoke, release
	target    *Object
	object    string // target id at the time of adding (may be newref:N)
	operation string
	typ       string
	payload   any
	result    any     // where to decode the value, for invokes
	created   *Object // for creates
}

// TxError is a failed operation of a committed transaction. Operations
// before Index ran and stay applied; operations after it did not run.
type TxError struct {
	Index     int    // position of the failed operation
	Method    string // its JSON-RPC method: create, invoke or release
	Operation string // the Kurento operation of an invoke
	Class     string // the class of a create
	Err       error  // the server's *Error, or why the operation did not run
}

func (e *TxError) Error() string {
	s := "kurento: transaction operation " + strconv.Itoa(e.Index) + " (" + e.Method
	if e.Operation != "" {
		s += " " + e.Operation
	}
	if e.Class != "" {
		s += " " + e.Class
	}
	return s + "): " + trimPrefix(e.Err)
}

func (e *TxError) Unwrap() error { return e.Err }

// ErrNotCommitted marks the objects and values of transaction operations
// that did not run because an earlier one failed.
var ErrNotCommitted = errors.New("kurento: transaction operation not executed")

// Begin starts a transaction on c. Nothing is sent until Commit.
func (c *Client) Begin() *Tx { return &Tx{c: c} }

// CreateObject adds a create to the transaction and returns the pending
// object.
func (tx *Tx) CreateObject(_ context.Context, typ string, params any) (*Object, error) {
	if typ == "" {
		return nil, &OpError{Method: kms.MethodCreate, Err: fmt.Errorf("%w: empty type", ErrInvalidArgument)}
	}
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.committed {
		return nil, &OpError{Method: kms.MethodCreate, Class: typ, Err: fmt.Errorf("%w: transaction already committed", ErrInvalidArgument)}
	}
	if tx.c == nil {
		return nil, &OpError{Method: kms.MethodCreate, Class: typ, Err: fmt.Errorf("%w: transaction of no client", ErrInvalidArgument)}
	}
	i := len(tx.ops)
	o := &Object{c: tx.c, typ: typ}
	o.ref.Store(&objRef{id: kms.NewRef(i), gen: tx.c.sess.Load().gen, tx: tx, index: i})
	tx.ops = append(tx.ops, txOp{method: kms.MethodCreate, typ: typ, payload: params, created: o})
	return o, nil
}

// Invoke adds an invoke of operation on o (pending or not) to the
// transaction. result, when not nil, is filled at commit with the value
// the operation returned: the way to get values out of a transaction.
func (tx *Tx) Invoke(o *Object, operation string, params, result any) error {
	r, err := o.usable()
	if err != nil {
		return &OpError{Method: kms.MethodInvoke, Operation: operation, ObjectID: o.safeID(), Err: err}
	}
	if r.tx != nil && r.tx != tx {
		return &OpError{
			Method: kms.MethodInvoke, Operation: operation, ObjectID: r.id,
			Err: fmt.Errorf("%w: object is pending in another transaction", ErrInvalidArgument),
		}
	}
	return tx.add(txOp{method: kms.MethodInvoke, target: o, object: r.id, operation: operation, payload: params, result: result})
}

// invoke is the path of methods called on a pending object.
func (tx *Tx) invoke(o *Object, operation string, params, result any) error {
	return tx.add(txOp{method: kms.MethodInvoke, target: o, object: o.ID(), operation: operation, payload: params, result: result})
}

// Release adds a release of o to the transaction.
func (tx *Tx) Release(o *Object) error {
	r, err := o.usable()
	if err != nil {
		return &OpError{Method: kms.MethodRelease, ObjectID: o.safeID(), Err: err}
	}
	return tx.add(txOp{method: kms.MethodRelease, target: o, object: r.id})
}

func (tx *Tx) add(op txOp) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.committed {
		return &OpError{
			Method: op.method, Operation: op.operation, ObjectID: op.object,
			Err: fmt.Errorf("%w: transaction already committed", ErrInvalidArgument),
		}
	}
	tx.ops = append(tx.ops, op)
	return nil
}

// Len returns the number of operations added so far.
func (tx *Tx) Len() int {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return len(tx.ops)
}

// Commit sends the transaction and resolves its objects and values. On
// success every pending object has its server id. When operation i fails,
// Commit returns a *TxError for i; objects created before i are resolved
// (they exist on the server), later ones fail with [ErrNotCommitted].
// A transaction commits once.
func (tx *Tx) Commit(ctx context.Context) error {
	tx.mu.Lock()
	if tx.committed {
		tx.mu.Unlock()
		return fmt.Errorf("%w: transaction already committed", ErrInvalidArgument)
	}
	tx.committed = true
	ops := tx.ops
	tx.mu.Unlock()
	if len(ops) == 0 {
		return nil
	}
	frames := make([]json.RawMessage, len(ops))
	for i, op := range ops {
		f, err := tx.encode(i, op)
		if err != nil {
			tx.abandon(ops, 0, err)
			return &TxError{Index: i, Method: op.method, Operation: op.operation, Class: op.typ, Err: err}
		}
		frames[i] = f
	}
	replies, err := tx.send(ctx, ops, frames)
	if err != nil {
		tx.abandon(ops, 0, err)
		return &OpError{Method: kms.MethodTransaction, Err: err}
	}
	for i, op := range ops {
		if i >= len(replies) {
			tx.abandon(ops, i, ErrNotCommitted)
			return &TxError{Index: i, Method: op.method, Operation: op.operation, Class: op.typ, Err: ErrNotCommitted}
		}
		rep := replies[i]
		if rep.Error != nil {
			e := serverError(rep.Error.Code, rep.Error.Message, rep.Error.Data)
			tx.abandon(ops, i, fmt.Errorf("%w: %w", ErrNotCommitted, e))
			return &TxError{Index: i, Method: op.method, Operation: op.operation, Class: op.typ, Err: e}
		}
		if err := tx.settle(op, rep.Result); err != nil {
			tx.abandon(ops, i+1, ErrNotCommitted)
			return &TxError{Index: i, Method: op.method, Operation: op.operation, Class: op.typ, Err: err}
		}
	}
	return nil
}

// send makes the transaction request. As with [Client.CreateObject], the
// request runs under a context that outlives ctx: when ctx ends after the
// request left, the reply is still awaited in the background and every
// object the transaction created is released, so an abandoned commit
// leaves nothing on the server.
func (tx *Tx) send(ctx context.Context, ops []txOp, frames []json.RawMessage) ([]kms.TxReply, error) {
	c := tx.c
	if err := ctx.Err(); err != nil {
		return nil, refused(err)
	}
	type outcome struct {
		replies []kms.TxReply
		err     error
	}
	done := make(chan outcome, 1)
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.callBudget(ctx))
	q := &req{c: c, gen: ops[0].gen(tx), Params: kms.Params{Operations: frames}}
	if !c.goOwned(func() {
		defer cancel()
		var res kms.ValueResult
		var o outcome
		o.err = c.call(callCtx, kms.MethodTransaction, q, &res)
		if o.err == nil {
			if err := json.Unmarshal(res.Value, &o.replies); err != nil {
				o.err = &answeredError{err: fmt.Errorf("decoding results: %w", err)}
			}
		}
		done <- o
	}) {
		cancel()
		return nil, refused(ErrClosed)
	}
	select {
	case o := <-done:
		return o.replies, o.err
	case <-ctx.Done():
		c.background(func(bg context.Context) {
			select {
			case o := <-done:
				if o.err == nil {
					tx.releaseCreated(bg, ops, o.replies)
				}
			case <-bg.Done():
			}
		})
		return nil, ctx.Err()
	}
}

// releaseCreated frees the objects an abandoned commit created, the last
// created first (children before their pipeline).
func (tx *Tx) releaseCreated(bg context.Context, ops []txOp, replies []kms.TxReply) {
	c := tx.c
	for i := min(len(ops), len(replies)) - 1; i >= 0; i-- {
		var id string
		rep := replies[i]
		if ops[i].method != kms.MethodCreate || rep.Error != nil || rep.Result == nil || json.Unmarshal(rep.Result.Value, &id) != nil || id == "" {
			continue
		}
		c.log.Debug("releasing an object whose transaction was abandoned", "object_id", id)
		rctx, cancel := context.WithTimeout(bg, 10*time.Second)
		err := c.Release(rctx, id)
		cancel()
		if err != nil {
			c.report(fmt.Errorf("releasing the orphan of an abandoned transaction: %w", err))
		}
	}
}

func (op txOp) gen(tx *Tx) uint64 {
	if op.target != nil {
		return op.target.ref.Load().gen
	}
	if op.created != nil {
		return op.created.ref.Load().gen
	}
	return tx.c.sess.Load().gen
}

// encode writes operation i as the complete JSON-RPC request KMS expects
// inside a transaction (its id is its index).
func (tx *Tx) encode(i int, op txOp) (json.RawMessage, error) {
	p := kms.Params{Object: op.object, Operation: op.operation, Type: op.typ}
	switch op.method {
	case kms.MethodCreate:
		p.PayloadAs, p.Payload = kms.ParamConstructorParams, op.payload
	case kms.MethodInvoke:
		p.PayloadAs, p.Payload = kms.ParamOperationParams, op.payload
	}
	b, err := kms.AppendTxOp(nil, i, op.method, &p, tx.c.sess.Load().id)
	if err != nil {
		return nil, paramsError(err)
	}
	return b, nil
}

// settle applies one successful operation's result.
func (tx *Tx) settle(op txOp, res *kms.ValueResult) error {
	switch op.method {
	case kms.MethodCreate:
		var id string
		if res == nil || json.Unmarshal(res.Value, &id) != nil || id == "" {
			return errors.New("create returned no object id")
		}
		old := op.created.ref.Load()
		op.created.ref.Store(&objRef{id: id, gen: old.gen})
	case kms.MethodInvoke:
		if op.result != nil && res != nil && len(res.Value) > 0 && string(res.Value) != "null" {
			if err := json.Unmarshal(res.Value, op.result); err != nil {
				return fmt.Errorf("decoding the value of %s: %w", op.operation, err)
			}
		}
	case kms.MethodRelease:
		tx.c.subs.endObject(op.target.ID())
	}
	return nil
}

// abandon marks the objects created from operation from on as failed.
func (tx *Tx) abandon(ops []txOp, from int, err error) {
	for _, op := range ops[from:] {
		if op.created != nil {
			old := op.created.ref.Load()
			op.created.ref.Store(&objRef{id: old.id, gen: old.gen, err: err})
		}
	}
}
