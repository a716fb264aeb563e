package kurentotest

import (
	"encoding/json"
	"time"
)

// Call is one request frame the server received.
type Call struct {
	// Conn numbers the socket the frame came on (1 for the first socket).
	Conn int
	// SessionID is the request's session id after insertion from the
	// socket binding ("" when it had none).
	SessionID string
	// ID is the raw JSON text of the request id ("" for a notification).
	ID string
	// Method is the JSON-RPC method.
	Method string
	// Object and Operation are set for requests that carry them
	// (invoke, describe, release, subscribe...).
	Object, Operation string
	// Params is the params member after session id insertion (nil if none).
	Params json.RawMessage
	// Time is when the frame was received.
	Time time.Time
	// Cached is true when the reply came from the reply cache: the request
	// was not executed.
	Cached bool
	// Reacted is true when a [Reaction] applied to this call.
	Reacted bool
}

// callCtx carries the context of one method execution.
type callCtx struct {
	c    *conn
	sid  string
	inTx bool
	// after runs once the reply is queued (asynchronous events).
	after []func()
	// delay postpones the reply (used by slow operations like getUsedCpu).
	delay time.Duration
}

// logCall appends call to the log and wakes the waiters of WaitCall.
// Called with s.mu held.
func (s *Server) logCall(call Call) {
	s.calls = append(s.calls, call)
	// A bounded log keeps up to twice its bound and then drops the oldest
	// half at once: amortised O(1) per call, flat memory.
	if n := s.opts.callLog; n > 0 && len(s.calls) >= 2*n {
		drop := len(s.calls) - n
		kept := copy(s.calls, s.calls[drop:])
		clear(s.calls[kept:])
		s.calls = s.calls[:kept]
		s.callsDropped += drop
	}
	close(s.callLogged)
	s.callLogged = make(chan struct{})
}

// paramsMergeable reports whether KMS can write a sessionId into the
// frame's params: they are absent, null or an object.
func paramsMergeable(m map[string]any) bool {
	pv, ok := m["params"]
	if !ok || pv == nil {
		return true
	}
	_, ok = pv.(map[string]any)
	return ok
}

// handleFrame processes one text frame from socket c.
func (s *Server) handleFrame(c *conn, data []byte) {
	v, err := decode(data)
	if err != nil {
		// KMS answers nothing to an unparsable frame: it drops the socket
		// at once, without a close frame (the session stays).
		s.log.Debug("kurentotest: unparsable frame, dropping the socket", "conn", c.n, "err", err)
		c.abort()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || c.dropped {
		return // a dropped socket's frames never reach the (new) state
	}
	st := s.st
	m, ok := v.(map[string]any)
	if c.session != "" && (!ok && v != nil || ok && !paramsMergeable(m)) {
		// On a socket bound to a session KMS writes the sessionId into
		// params before anything else; with no object to write it into
		// (a batch, a string, params that are not an object) that throws
		// and KMS drops the socket, without a reply or a close frame.
		s.log.Debug("kurentotest: frame without room for the sessionId, dropping the socket", "conn", c.n)
		c.abort()
		return
	}
	if !ok {
		c.send(errorFrame(nil, invalidRequest()))
		return
	}
	ver, _ := m["jsonrpc"].(string)
	method, mok := m["method"].(string)
	idv, hasID := m["id"]
	switch idv.(type) {
	case map[string]any, []any:
		mok = false
	}
	if ver != "2.0" || !mok {
		c.send(errorFrame(nil, invalidRequest()))
		return
	}
	notification := !hasID || idv == nil
	if !paramsMergeable(m) {
		// KMS looks params up as an object: jsoncpp throws.
		if !notification {
			c.send(errorFrame(idv, plainError(-32603, "Unexpected error while processing method: in Json::Value::find(begin, end): requires objectValue or nullValue")))
		}
		return
	}

	pv, hasParams := m["params"]
	params, _ := pv.(map[string]any)
	if c.session != "" && (params != nil || !hasParams || pv == nil) {
		if params == nil {
			params = map[string]any{}
		}
		if _, ok := params["sessionId"]; !ok {
			params["sessionId"] = c.session
		}
	}
	sid, _ := params["sessionId"].(string)

	call := Call{Conn: c.n, SessionID: sid, Method: method, Time: time.Now()}
	if !notification {
		call.ID = string(encode(idv))
	}
	call.Object, _ = params["object"].(string)
	call.Operation, _ = params["operation"].(string)
	if params != nil {
		call.Params = encode(params)
	} else if hasParams {
		call.Params = encode(pv)
	}
	idText := cacheIDText(idv)

	if !notification {
		if e, ok := st.cacheGet(sid, idText); ok {
			call.Cached = true
			s.logCall(call)
			s.deliver(c, e.frame, e.bind)
			return
		}
	}

	var r *Reaction
	if method == "invoke" && call.Operation != "" {
		r = s.takeReaction("", call.Operation)
	}
	if r == nil {
		r = s.takeReaction(method, "")
	}
	call.Reacted = r != nil
	s.logCall(call)

	cx := &callCtx{c: c, sid: sid}
	var (
		res  any
		rerr *rpcError
	)
	switch {
	case r != nil && r.Swallow == SwallowUnexecuted:
		return
	case r != nil && r.Fail != nil:
		rerr = r.Fail.rpcError()
	default:
		if !hasParams || pv == nil || params != nil {
			res, rerr = st.call(cx, method, params)
		} else {
			// params of the wrong JSON kind: nothing can be read from them.
			res, rerr = st.call(cx, method, nil)
		}
	}

	var frame []byte
	bind := ""
	if rerr == nil {
		if rm, ok := res.(map[string]any); ok {
			bind, _ = rm["sessionId"].(string)
		}
	}
	switch {
	case notification && rerr != nil:
		frame = errorFrame(nil, rerr)
		bind = ""
	case notification && res == nil && method == "closeSession":
		frame = []byte{}
		bind = ""
	case notification:
		frame = errorFrame(nil, &rpcError{code: -32000, message: "Ignoring response because of a notification request", data: res})
		bind = ""
	case rerr != nil:
		frame = errorFrame(idv, rerr)
	default:
		frame = encode(map[string]any{"id": idv, "jsonrpc": "2.0", "result": res})
	}
	if !notification {
		key := bind
		if key == "" {
			key = sid
		}
		st.cachePut(key, idText, frame, bind)
	}

	delay := cx.delay
	if r != nil && r.Delay > 0 {
		delay = r.Delay
	}
	switch {
	case r != nil && r.Swallow == SwallowExecuted:
	case delay > 0:
		s.deliverLater(c, frame, bind, delay)
	default:
		s.deliver(c, frame, bind)
	}
	for _, f := range cx.after {
		f()
	}
	s.st.syncMedia()
}

// deliver binds the socket as KMS's transport does after a reply carrying a
// session id, then queues the reply. Called with s.mu held.
func (s *Server) deliver(c *conn, frame []byte, bind string) {
	if bind != "" {
		if _, open := s.conns[c]; open {
			s.st.bind(c, bind)
		}
	}
	c.send(frame)
}

// deliverLater delivers a reply after d. Called with s.mu held.
func (s *Server) deliverLater(c *conn, frame []byte, bind string, d time.Duration) {
	s.wg.Go(func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.done:
			return
		case <-c.gone:
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed || c.dropped {
			return
		}
		s.deliver(c, frame, bind)
	})
}

// cacheIDText is the request id as KMS's cache sees it: 1 and "1" are equal.
func cacheIDText(idv any) string {
	switch x := idv.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	return string(encode(idv))
}

func errorFrame(id any, e *rpcError) []byte {
	return encode(map[string]any{"error": e.tree(), "id": id, "jsonrpc": "2.0"})
}

// call dispatches a JSON-RPC method. params is nil when absent.
func (st *state) call(cx *callCtx, method string, p map[string]any) (any, *rpcError) {
	if p != nil {
		if _, _, err := getString(p, "sessionId", false); err != nil {
			return nil, err
		}
	}
	switch method {
	case "ping":
		return st.ping(cx, p)
	case "connect":
		return st.connect(cx, p)
	}
	var fn func(*callCtx, map[string]any) (any, *rpcError)
	switch method {
	case "create":
		fn = st.create
	case "invoke":
		fn = st.invoke
	case "describe":
		fn = st.describe
	case "subscribe":
		fn = st.subscribe
	case "unsubscribe":
		fn = st.unsubscribe
	case "release":
		fn = st.releaseMethod
	case "transaction":
		fn = st.transaction
	case "keepAlive":
		fn = st.keepAlive
	case "ref":
		fn = st.refMethod
	case "unref":
		fn = st.unrefMethod
	case "closeSession":
		fn = st.closeSession
	default:
		return nil, plainError(-32601, "Method not found.")
	}
	if p == nil {
		return nil, paramsRequired()
	}
	return fn(cx, p)
}
