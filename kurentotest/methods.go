package kurentotest

import (
	"encoding/json"
	"strconv"
	"strings"
)

const newrefPrefix = "newref:"

// sessionOrNew returns the request's session id or makes up a new one, as
// KMS does for create, invoke, describe, subscribe, release, transaction
// and connect.
func sessionOrNew(p map[string]any) string {
	if s, ok := p["sessionId"].(string); ok {
		return s
	}
	return newUUID()
}

func result(sid string, value any, withValue bool) map[string]any {
	m := map[string]any{"sessionId": sid}
	if withValue {
		m["value"] = value
	}
	return m
}

func (st *state) ping(_ *callCtx, p map[string]any) (any, *rpcError) {
	m := map[string]any{"value": "pong"}
	if s, ok := p["sessionId"].(string); ok {
		m["sessionId"] = s
	}
	return m, nil
}

func (st *state) connect(_ *callCtx, p map[string]any) (any, *rpcError) {
	sid, ok := p["sessionId"].(string)
	if ok {
		ss, known := st.sessions[sid]
		if !known {
			return nil, kmsError(codeInvalidSession, "Invalid session")
		}
		ss.inUse = true
	} else {
		sid = newUUID()
	}
	return map[string]any{"serverId": st.serverID, "sessionId": sid}, nil
}

func (st *state) create(_ *callCtx, p map[string]any) (any, *rpcError) {
	typ, _, err := getString(p, "type", true)
	if err != nil {
		return nil, err
	}
	sid := sessionOrNew(p)
	cls, ok := st.s.cat.factory(typ)
	if !ok {
		return nil, kmsError(codeNotAvailable, "Factory '"+typ+"' not found")
	}
	var ctorParams []paramSpec
	if cls.Constructor != nil {
		ctorParams = toSpecs(cls.Constructor.Params)
	}
	cpv, has := p["constructorParams"]
	cp, isObj := cpv.(map[string]any)
	switch {
	case has && cpv != nil && !isObj:
		return nil, kmsError(codeMarshall, "'constructorParams' should be an object")
	case len(ctorParams) > 0 && !isObj:
		return nil, kmsError(codeMarshall, "'constructorParams' is required")
	}
	vals, err := st.readParams(sid, ctorParams, cp)
	if err != nil {
		return nil, err
	}
	if err := st.s.behaviours.checkCreate(cls.Name, vals); err != nil {
		return nil, err
	}
	o := st.newObject(cls.Name, ctorParams, vals)
	st.emit(ServerManagerID, "ObjectCreated", map[string]any{"object": o.id})
	st.ref(sid, o)
	return result(sid, o.id, true), nil
}

func (st *state) describe(_ *callCtx, p map[string]any) (any, *rpcError) {
	id, _, err := getString(p, "object", true)
	if err != nil {
		return nil, err
	}
	sid := sessionOrNew(p)
	o, err := st.lookup(sid, id)
	if err != nil {
		return nil, err
	}
	cat := st.s.cat
	h := []any{}
	for _, a := range cat.f.Hierarchy(o.typ) {
		h = append(h, cat.qualified(a))
	}
	return map[string]any{
		"hierarchy":     h,
		"qualifiedType": cat.qualified(o.typ),
		"sessionId":     sid,
		"type":          o.typ,
	}, nil
}

func (st *state) subscribe(_ *callCtx, p map[string]any) (any, *rpcError) {
	id, _, err := getString(p, "object", true)
	if err != nil {
		return nil, err
	}
	ev, _, err := getString(p, "type", true)
	if err != nil {
		return nil, err
	}
	sid := sessionOrNew(p)
	o, err := st.lookup(sid, id)
	if err != nil {
		return nil, err
	}
	if !st.s.cat.hasEvent(o.typ, ev) {
		return nil, kmsError(codeEventNotSupported, "Event '"+ev+"' not supported")
	}
	sub := newUUID()
	k := subKey{session: sid, object: o.id, event: ev}
	h, ok := st.subs[k]
	if !ok {
		h = &handler{}
		st.subs[k] = h
	}
	h.ids = append(h.ids, sub)
	st.subByID[sub] = k
	return result(sid, sub, true), nil
}

func (st *state) unsubscribe(_ *callCtx, p map[string]any) (any, *rpcError) {
	id, _, err := getString(p, "object", true)
	if err != nil {
		return nil, err
	}
	sub, _, err := getString(p, "subscription", true)
	if err != nil {
		return nil, err
	}
	sid, _, err := getString(p, "sessionId", true)
	if err != nil {
		return nil, err
	}
	if k, ok := st.subByID[sub]; ok && k.session == sid && k.object == id {
		delete(st.subByID, sub)
		h := st.subs[k]
		for i, x := range h.ids {
			if x == sub {
				h.ids = append(h.ids[:i], h.ids[i+1:]...)
				break
			}
		}
		if len(h.ids) == 0 {
			delete(st.subs, k)
		}
	}
	return result(sid, nil, false), nil
}

func (st *state) releaseMethod(_ *callCtx, p map[string]any) (any, *rpcError) {
	id, _, err := getString(p, "object", true)
	if err != nil {
		return nil, err
	}
	sid := sessionOrNew(p)
	st.release(id)
	return result(sid, nil, false), nil
}

func (st *state) keepAlive(_ *callCtx, p map[string]any) (any, *rpcError) {
	sid, _, err := getString(p, "sessionId", true)
	if err != nil {
		return nil, err
	}
	ss, ok := st.sessions[sid]
	if !ok {
		return nil, kmsError(codeInvalidSession, "Invalid session")
	}
	ss.inUse = true
	return result(sid, nil, false), nil
}

func (st *state) refMethod(_ *callCtx, p map[string]any) (any, *rpcError) {
	id, _, err := getString(p, "object", true)
	if err != nil {
		return nil, err
	}
	sid, _, err := getString(p, "sessionId", true)
	if err != nil {
		return nil, err
	}
	if _, err := st.lookup(sid, id); err != nil {
		return nil, err
	}
	return result(sid, nil, false), nil
}

func (st *state) unrefMethod(_ *callCtx, p map[string]any) (any, *rpcError) {
	id, _, err := getString(p, "object", true)
	if err != nil {
		return nil, err
	}
	sid, _, err := getString(p, "sessionId", true)
	if err != nil {
		return nil, err
	}
	st.unref(sid, id)
	return result(sid, nil, false), nil
}

func (st *state) closeSession(_ *callCtx, p map[string]any) (any, *rpcError) {
	sid, _, err := getString(p, "sessionId", true)
	if err != nil {
		return nil, err
	}
	rel, err := getBool(p, "release")
	if err != nil {
		return nil, err
	}
	if rel {
		st.releaseSession(sid)
	} else {
		st.unrefSession(sid)
	}
	return nil, nil
}

// transaction runs operations in order, with newref substitution, stopping
// at the first failure and rolling nothing back.
func (st *state) transaction(cx *callCtx, p map[string]any) (any, *rpcError) {
	opsv, ok := p["operations"]
	if !ok || opsv == nil {
		return nil, paramRequired("operations")
	}
	ops, ok := opsv.([]any)
	if !ok {
		return nil, paramKind("operations", "an array")
	}
	sid := sessionOrNew(p)
	responses := []any{}
	values := map[int]any{}
	for i, opv := range ops {
		op, ok := opv.(map[string]any)
		if !ok {
			// KMS reads the operation's fields without checking it is an
			// object: jsoncpp throws.
			return nil, plainError(-32603, "Unexpected error while processing method: in Json::Value::resolveReference(key, end): requires objectValue")
		}
		idv := op["id"]
		if !isIndex(idv, i) {
			// KMS names the expected index twice, not the id it got.
			return nil, kmsError(codeMalformedTransaction,
				"Id of request '"+strconv.Itoa(i)+"' should be '"+strconv.Itoa(i)+"'")
		}
		method, _ := op["method"].(string)
		if ver, _ := op["jsonrpc"].(string); ver != "2.0" || method == "" {
			// An operation that is not a JSON-RPC request fails like one
			// sent alone, and ends the transaction.
			responses = append(responses, map[string]any{"error": invalidRequest().tree(), "id": json.Number(strconv.Itoa(i)), "jsonrpc": "2.0"})
			break
		}
		params, _ := op["params"].(map[string]any)
		if params == nil {
			params = map[string]any{}
		}
		params, err := injectMapRefs(params, values)
		if err != nil {
			return nil, err
		}
		params["sessionId"] = sid
		subcx := &callCtx{c: cx.c, sid: sid, inTx: true}
		var (
			res  any
			rerr *rpcError
		)
		if method == "transaction" {
			rerr = plainError(-32601, "Method not found.")
		} else {
			res, rerr = st.call(subcx, method, params)
		}
		cx.after = append(cx.after, subcx.after...)
		if rerr != nil {
			responses = append(responses, map[string]any{"error": rerr.tree(), "id": json.Number(strconv.Itoa(i)), "jsonrpc": "2.0"})
			break
		}
		responses = append(responses, map[string]any{"id": json.Number(strconv.Itoa(i)), "jsonrpc": "2.0", "result": res})
		if rm, ok := res.(map[string]any); ok {
			if v, ok := rm["value"]; ok {
				values[i] = v
			}
		}
	}
	return result(sid, responses, true), nil
}

func isIndex(v any, i int) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	x, err := n.Int64()
	return err == nil && x == int64(i)
}

// injectRefs replaces every "newref:N" string in v by the value of
// operation N's result.
func injectRefs(v any, values map[int]any) (any, *rpcError) {
	switch x := v.(type) {
	case string:
		if !strings.HasPrefix(x, newrefPrefix) {
			return x, nil
		}
		ns := x[len(newrefPrefix):]
		n, err := strconv.Atoi(ns)
		if err != nil {
			return nil, kmsError(codeMalformedTransaction, "Invalid index of newref '"+ns+"'")
		}
		val, ok := values[n]
		if !ok {
			return nil, kmsError(codeMalformedTransaction, "Result not found on request "+strconv.Itoa(n))
		}
		return val, nil
	case map[string]any:
		return injectMapRefs(x, values)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := injectRefs(e, values)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// injectMapRefs is injectRefs for an object; it returns a new map.
func injectMapRefs(m map[string]any, values map[int]any) (map[string]any, *rpcError) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		r, err := injectRefs(e, values)
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}
