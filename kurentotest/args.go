package kurentotest

import "github.com/gokurento/kurento/internal/kms"

// This file reads the parameters of the protocol's methods into typed
// values, once, in the order and with the errors of KMS: the method table
// names which parameters each method needs, and readArgs checks them
// before the method runs.

// args are the protocol-level parameters of one request.
type args struct {
	// Params are the members in the shape of the protocol core: Object,
	// Operation, Type (create's class, subscribe's event type),
	// Subscription and Release. Its payload and operations stay unset:
	// the fake reads those as JSON trees, below.
	kms.Params
	// session is the sessionId; hasSession tells whether there was one.
	session    string
	hasSession bool
	// operations are a transaction's requests, as sent.
	operations []any
	// operationParams and constructorParams are the IDL-typed parameters
	// of invoke and create, read by them against the IDL.
	operationParams, constructorParams objectParam
}

// objectParam is a parameter that must be a JSON object when present.
type objectParam struct {
	m map[string]any // nil when absent, null or not an object
	// notObject is set when present, not null and not an object.
	notObject bool
}

func readObjectParam(p map[string]any, name string) objectParam {
	v, has := p[name]
	m, isObj := v.(map[string]any)
	return objectParam{m: m, notObject: has && v != nil && !isObj}
}

// sessionOrNew returns the request's session id or makes up a new one, as
// KMS does for create, invoke, describe, subscribe, release, transaction
// and connect.
func (a *args) sessionOrNew() string {
	if a.hasSession {
		return a.session
	}
	return newUUID()
}

// argField is a protocol parameter a method reads. KMS checks them in
// the order of the constants, whatever the method: an invoke's
// operation before its object, an object before a subscription or an
// event type, the sessionId after those and before closeSession's
// release.
type argField uint8

const (
	argOperation argField = 1 << iota
	argObject
	argType
	argSubscription
	argSessionRequired
	argRelease
	argOperations
)

// protocolMethod is a method of the protocol: the parameters it requires
// and how it runs.
type protocolMethod struct {
	fields argField
	// noParams is set for the methods that run without params.
	noParams bool
	run      func(st *state, cx *callCtx, a *args) (any, *rpcError)
}

// lookupMethod finds a method of the protocol by name. keepAlive, ref and
// unref are KMS methods no client of this SDK sends.
func lookupMethod(name string) (protocolMethod, bool) {
	switch name {
	case kms.MethodPing:
		return protocolMethod{noParams: true, run: (*state).ping}, true
	case kms.MethodConnect:
		return protocolMethod{noParams: true, run: (*state).connect}, true
	case kms.MethodCreate:
		return protocolMethod{fields: argType, run: (*state).create}, true
	case kms.MethodInvoke:
		return protocolMethod{fields: argOperation | argObject, run: (*state).invoke}, true
	case kms.MethodDescribe:
		return protocolMethod{fields: argObject, run: (*state).describe}, true
	case kms.MethodSubscribe:
		return protocolMethod{fields: argObject | argType, run: (*state).subscribe}, true
	case kms.MethodUnsubscribe:
		return protocolMethod{fields: argObject | argSubscription | argSessionRequired, run: (*state).unsubscribe}, true
	case kms.MethodRelease:
		return protocolMethod{fields: argObject, run: (*state).releaseMethod}, true
	case kms.MethodTransaction:
		return protocolMethod{fields: argOperations, run: (*state).transaction}, true
	case "keepAlive":
		return protocolMethod{fields: argSessionRequired, run: (*state).keepAlive}, true
	case "ref":
		return protocolMethod{fields: argObject | argSessionRequired, run: (*state).refMethod}, true
	case "unref":
		return protocolMethod{fields: argObject | argSessionRequired, run: (*state).unrefMethod}, true
	case kms.MethodCloseSession:
		return protocolMethod{fields: argSessionRequired | argRelease, run: (*state).closeSession}, true
	}
	return protocolMethod{}, false
}

// call runs a method of the protocol. params is nil when absent.
func (st *state) call(cx *callCtx, method string, p map[string]any) (any, *rpcError) {
	a := &args{}
	if p != nil {
		var err *rpcError
		if a.session, a.hasSession, err = getString(p, kms.ParamSessionID, false); err != nil {
			return nil, err
		}
	}
	m, ok := lookupMethod(method)
	if !ok {
		return nil, plainError(kms.CodeMethodNotFound, kms.MsgMethodNotFound)
	}
	if p == nil && !m.noParams {
		return nil, paramsRequired()
	}
	if err := a.read(p, m.fields); err != nil {
		return nil, err
	}
	return m.run(st, cx, a)
}

// read reads the fields of a method, in KMS's order, stopping at the
// first error.
func (a *args) read(p map[string]any, fields argField) *rpcError {
	for f := argOperation; f <= argOperations; f <<= 1 {
		if fields&f == 0 {
			continue
		}
		var err *rpcError
		switch f {
		case argObject:
			a.Object, _, err = getString(p, kms.ParamObject, true)
		case argOperation:
			a.Operation, _, err = getString(p, kms.ParamOperation, true)
			a.operationParams = readObjectParam(p, kms.ParamOperationParams)
		case argType:
			a.Type, _, err = getString(p, kms.ParamType, true)
			a.constructorParams = readObjectParam(p, kms.ParamConstructorParams)
		case argSubscription:
			a.Subscription, _, err = getString(p, kms.ParamSubscription, true)
		case argSessionRequired:
			_, _, err = getString(p, kms.ParamSessionID, true)
		case argRelease:
			a.Release, err = getBool(p, kms.ParamRelease)
		case argOperations:
			a.operations, err = getArray(p, kms.ParamOperations)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
