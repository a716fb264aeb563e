package kurentotest

import "github.com/gokurento/kurento/internal/kms"

// This file executes the methods of the protocol other than invoke
// (invoke.go) and transaction (transaction.go): sessions, create,
// describe, subscriptions, release and references.

func result(sid string, value any, withValue bool) map[string]any {
	m := map[string]any{kms.ParamSessionID: sid}
	if withValue {
		m[kms.ResultValue] = value
	}
	return m
}

func (st *state) ping(_ *callCtx, a *args) (any, *rpcError) {
	m := map[string]any{"value": "pong"}
	if a.hasSession {
		m["sessionId"] = a.session
	}
	return m, nil
}

func (st *state) connect(_ *callCtx, a *args) (any, *rpcError) {
	sid := a.session
	if a.hasSession {
		ss, known := st.sessions[sid]
		if !known {
			return nil, kmsError(kms.CodeInvalidSession, kms.MsgInvalidSession)
		}
		ss.inUse = true
	} else {
		sid = newUUID()
	}
	return map[string]any{"serverId": st.serverID, "sessionId": sid}, nil
}

func (st *state) create(_ *callCtx, a *args) (any, *rpcError) {
	typ := a.Type
	sid := a.sessionOrNew()
	cls, ok := st.s.cat.factory(typ)
	if !ok {
		return nil, kmsError(kms.CodeNotAvailable, kms.MsgFactoryNotFound(typ))
	}
	var ctorParams []paramSpec
	if cls.Constructor != nil {
		ctorParams = toSpecs(cls.Constructor.Params)
	}
	cp := a.constructorParams
	switch {
	case cp.notObject:
		return nil, kmsError(kms.CodeMarshall, kms.MsgConstructorParamsObj)
	case len(ctorParams) > 0 && cp.m == nil:
		return nil, kmsError(kms.CodeMarshall, kms.MsgConstructorParamsReq)
	}
	vals, err := st.readParams(sid, ctorParams, cp.m)
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

func (st *state) describe(_ *callCtx, a *args) (any, *rpcError) {
	id := a.Object
	sid := a.sessionOrNew()
	o, err := st.lookup(sid, id)
	if err != nil {
		return nil, err
	}
	cat := st.s.cat
	h := []string{}
	for _, a := range cat.f.Hierarchy(o.typ) {
		h = append(h, cat.qualified(a))
	}
	return kms.DescribeResult{Hierarchy: h, QualifiedType: cat.qualified(o.typ), SessionID: sid, Type: o.typ}, nil
}

func (st *state) subscribe(_ *callCtx, a *args) (any, *rpcError) {
	id := a.Object
	ev := a.Type
	sid := a.sessionOrNew()
	o, err := st.lookup(sid, id)
	if err != nil {
		return nil, err
	}
	if !st.s.cat.hasEvent(o.typ, ev) {
		return nil, kmsError(kms.CodeEventNotSupported, kms.MsgEventNotSupported(ev))
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

func (st *state) unsubscribe(_ *callCtx, a *args) (any, *rpcError) {
	id := a.Object
	sub := a.Subscription
	sid := a.session
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

func (st *state) releaseMethod(_ *callCtx, a *args) (any, *rpcError) {
	id := a.Object
	sid := a.sessionOrNew()
	st.release(id)
	return result(sid, nil, false), nil
}

func (st *state) keepAlive(_ *callCtx, a *args) (any, *rpcError) {
	sid := a.session
	ss, ok := st.sessions[sid]
	if !ok {
		return nil, kmsError(kms.CodeInvalidSession, kms.MsgInvalidSession)
	}
	ss.inUse = true
	return result(sid, nil, false), nil
}

func (st *state) refMethod(_ *callCtx, a *args) (any, *rpcError) {
	id := a.Object
	sid := a.session
	if _, err := st.lookup(sid, id); err != nil {
		return nil, err
	}
	return result(sid, nil, false), nil
}

func (st *state) unrefMethod(_ *callCtx, a *args) (any, *rpcError) {
	id := a.Object
	sid := a.session
	st.unref(sid, id)
	return result(sid, nil, false), nil
}

func (st *state) closeSession(_ *callCtx, a *args) (any, *rpcError) {
	sid := a.session
	if a.Release {
		st.releaseSession(sid)
	} else {
		st.unrefSession(sid)
	}
	return nil, nil
}
