package client

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/gokurento/kurento/internal/kms"
)

// CreateObject creates an object of class typ (e.g. "WebRtcEndpoint", or
// a custom module's class) with constructor params (a struct or map; nil
// sends none) and returns a reference to it.
//
// If ctx ends after the request was sent, the reply is still awaited in the
// background and an object created after all is released, so a cancelled
// create never leaks a server object.
func (c *Client) CreateObject(ctx context.Context, typ string, params any) (*Object, error) {
	if typ == "" {
		return nil, &OpError{Method: kms.MethodCreate, Err: fmt.Errorf("%w: empty type", ErrInvalidArgument)}
	}
	// A dead ctx never reaches the wire, as for every other call.
	if err := ctx.Err(); err != nil {
		return nil, &OpError{Method: kms.MethodCreate, Class: typ, Err: refused(err)}
	}
	gen := c.sess.Load().gen
	r := &req{c: c, gen: gen, Params: kms.Params{Type: typ, PayloadAs: kms.ParamConstructorParams, Payload: params}}
	type outcome struct {
		id  string
		err error
	}
	done := make(chan outcome, 1)
	// The request runs under a context that outlives ctx, so the reply of a
	// create abandoned by its caller is still seen (and the orphan freed).
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.callBudget(ctx))
	if !c.goOwned(func() {
		defer cancel()
		var id string
		err := c.call(callCtx, kms.MethodCreate, r, &kms.ValueInto{Value: &id})
		done <- outcome{id: id, err: err}
	}) {
		cancel()
		return nil, &OpError{Method: kms.MethodCreate, Class: typ, Err: refused(ErrClosed)}
	}
	select {
	case o := <-done:
		if o.err != nil {
			return nil, &OpError{Method: kms.MethodCreate, Class: typ, Err: o.err}
		}
		return newObject(c, typ, o.id, gen), nil
	case <-ctx.Done():
		c.background(func(bg context.Context) {
			select {
			case o := <-done:
				if o.err == nil && o.id != "" {
					c.log.Debug("releasing an object whose create was abandoned", "object_id", o.id)
					rctx, rcancel := context.WithTimeout(bg, 10*time.Second)
					defer rcancel()
					if err := c.Release(rctx, o.id); err != nil {
						c.report(fmt.Errorf("releasing the orphan of an abandoned create: %w", err))
					}
				}
			case <-bg.Done():
			}
		})
		return nil, &OpError{Method: kms.MethodCreate, Class: typ, Err: ctx.Err()}
	}
}

// callBudget is how long a create may wait for its reply: the call timeout,
// or longer if ctx allows more. An abandoned create is still awaited that
// long so that its object can be released.
func (c *Client) callBudget(ctx context.Context) time.Duration {
	d := c.conn.CallTimeout()
	if dl, ok := ctx.Deadline(); ok {
		d = max(d, time.Until(dl))
	}
	return d
}

// Invoke calls operation on the object with the given id; see
// [Object.Invoke].
func (c *Client) Invoke(ctx context.Context, objectID, operation string, params, result any) error {
	if objectID == "" || operation == "" {
		return &OpError{
			Method: kms.MethodInvoke, Operation: operation, ObjectID: objectID,
			Err: fmt.Errorf("%w: empty object id or operation", ErrInvalidArgument),
		}
	}
	return c.invoke(ctx, &objRef{id: objectID}, operation, params, result)
}

func (c *Client) invoke(ctx context.Context, r *objRef, operation string, params, result any) error {
	q := req{c: c, gen: r.gen, Params: kms.Params{Object: r.id, Operation: operation, PayloadAs: kms.ParamOperationParams, Payload: params}}
	// The reply is decoded once, its value straight into result.
	var res any
	if result != nil {
		if reflect.ValueOf(result).Kind() != reflect.Pointer {
			return &OpError{
				Method: kms.MethodInvoke, Operation: operation, ObjectID: r.id,
				Err: fmt.Errorf("%w: result must be a pointer, not %T", ErrInvalidArgument, result),
			}
		}
		res = &kms.ValueInto{Value: result}
	}
	if err := c.call(ctx, kms.MethodInvoke, &q, res); err != nil {
		return &OpError{Method: kms.MethodInvoke, Operation: operation, ObjectID: r.id, Err: err}
	}
	return nil
}

// Describe asks KMS for the class of an object. It also makes this session
// a co-owner of the object (how a second client attaches to objects).
func (c *Client) Describe(ctx context.Context, objectID string) (Description, error) {
	if objectID == "" {
		return Description{}, &OpError{Method: kms.MethodDescribe, Err: fmt.Errorf("%w: empty object id", ErrInvalidArgument)}
	}
	var d kms.DescribeResult
	if err := c.call(ctx, kms.MethodDescribe, &req{c: c, Params: kms.Params{Object: objectID}}, &d); err != nil {
		return Description{}, &OpError{Method: kms.MethodDescribe, ObjectID: objectID, Err: err}
	}
	return Description{Type: d.Type, QualifiedType: d.QualifiedType, Hierarchy: d.Hierarchy}, nil
}

// Release destroys the object with the given id (and everything in it) and
// ends the local event subscriptions on it and its children. Releasing an
// unknown or already released id succeeds, as on KMS.
func (c *Client) Release(ctx context.Context, objectID string) error {
	if objectID == "" {
		return &OpError{Method: kms.MethodRelease, Err: fmt.Errorf("%w: empty object id", ErrInvalidArgument)}
	}
	if err := c.call(ctx, kms.MethodRelease, &req{c: c, Params: kms.Params{Object: objectID}}, nil); err != nil {
		return &OpError{Method: kms.MethodRelease, ObjectID: objectID, Err: err}
	}
	c.subs.endObject(objectID)
	return nil
}

// ServerManager returns the reference to the server's ServerManager.
func (c *Client) ServerManager() *Object { return c.Object("ServerManager", ServerManagerID) }
