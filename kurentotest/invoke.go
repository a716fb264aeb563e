package kurentotest

import (
	"strconv"

	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/internal/kms"
)

// This file executes invoke: it resolves the operation on the object's
// class (a method, or a property getter or setter), checks its
// parameters, and runs the behaviour that implements it, or stores and
// returns property values.

// invocation is one invoke being executed.
type invocation struct {
	st  *state
	cx  *callCtx
	sid string
	obj *object
	op  string
	// params are the checked operation parameters, defaults applied.
	params map[string]any
	method *idl.Method   // nil for property accessors
	prop   *idl.Property // set for get<Prop>/set<Prop>
}

// str returns the String (or object reference) parameter name. readParams
// has checked its type, so only an absent optional parameter reads as "".
func (x *invocation) str(name string) string {
	v, _ := x.params[name].(string)
	return v
}

// resolve finds what operation op means on class: a method, a property
// getter or a property setter.
func (c *catalog) resolve(class, op string) (m *idl.Method, p *idl.Property, setter bool, ok bool) {
	for _, mm := range c.f.AllMethods(class) {
		if mm.Name == op {
			return &mm, nil, false, true
		}
	}
	for _, pp := range c.f.AllProperties(class) {
		if op == kms.Getter(pp.Name) {
			return nil, &pp, false, true
		}
		if pp.Writable() && op == kms.Setter(pp.Name) {
			return nil, &pp, true, true
		}
	}
	return nil, nil, false, false
}

func (st *state) invoke(cx *callCtx, a *args) (any, *rpcError) {
	op := a.Operation
	sid := a.sessionOrNew()
	o, err := st.lookup(sid, a.Object)
	if err != nil {
		return nil, err
	}
	if a.operationParams.notObject {
		return nil, kmsError(kms.CodeMarshall, kms.MsgOperationParamsObject)
	}
	opp := a.operationParams.m
	m, prop, setter, ok := st.s.cat.resolve(o.typ, op)
	if !ok {
		return nil, kmsError(kms.CodeMalformedTransaction,
			"Method '"+op+"' with "+strconv.Itoa(len(opp))+" parameters not found")
	}
	var specs []paramSpec
	switch {
	case m != nil:
		specs = toSpecs(m.Params)
	case setter:
		specs = []paramSpec{{name: prop.Name, typ: prop.Type}}
	}
	vals, err := st.readParams(sid, specs, opp)
	if err != nil {
		return nil, err
	}
	x := &invocation{st: st, cx: cx, sid: sid, obj: o, op: op, params: vals, method: m, prop: prop}
	v, err := x.run(setter)
	if err != nil {
		return nil, err
	}
	return result(sid, v, true), nil
}

func (x *invocation) run(setter bool) (any, *rpcError) {
	cat := x.st.s.cat
	if fn, ok := x.st.s.behaviours.op(x.obj.typ, x.op); ok {
		return fn(x)
	}
	switch {
	case setter:
		x.obj.props[x.prop.Name] = x.params[x.prop.Name]
		return nil, nil
	case x.prop != nil:
		if v, ok := x.obj.props[x.prop.Name]; ok {
			return v, nil
		}
		return cat.zero(x.prop.Type), nil
	case x.method.Return != nil:
		return cat.zero(*x.method.Return), nil
	}
	return nil, nil
}
