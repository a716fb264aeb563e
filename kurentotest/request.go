package kurentotest

import (
	"time"

	"github.com/gokurento/kurento/internal/kms"
)

// This file is the way of a request frame through the server, one step
// each: decode (decodeRequest), reply cache (cache.go), reaction
// (reactionFor, the scripted reactions of script.go), execute (the
// protocol methods, args.go), encode (encodeReply) and deliver.

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

// request is a request frame decoded: the steps after decoding read
// nothing else of the frame.
type request struct {
	// id is the id member (nil for a notification), idText the id as the
	// reply cache sees it.
	id           any
	idText       string
	notification bool
	method       string
	// params are the params object, with the sessionId of the socket's
	// binding inserted; nil when the frame has no params (or null ones)
	// and the socket is not bound.
	params map[string]any
	// nullParams is set for "params":null.
	nullParams bool
	// sid is the request's session id ("" none).
	sid string
	// operation is the invoke operation ("" for other methods).
	operation string
}

// refusal is what the server does with a frame that is no request it can
// execute: drop the socket without a word, or send a reply (nil: nothing).
type refusal struct {
	drop  bool
	reply []byte
}

// handleFrame processes one text frame from socket c, in steps: decode,
// reply cache, reaction, execute, encode, deliver.
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
	req, no := decodeRequest(v, c.session)
	if no != nil {
		s.refuse(c, no)
		return
	}
	call := req.logEntry(c.n)
	if e, ok := s.cachedReply(req); ok {
		call.Cached = true
		s.logCall(call)
		s.deliver(c, e.frame, e.bind)
		return
	}
	r := s.reactionFor(req)
	call.Reacted = r != nil
	s.logCall(call)
	if r != nil && r.Swallow == SwallowUnexecuted {
		return
	}
	cx := &callCtx{c: c, sid: req.sid}
	res, rerr := s.execute(cx, req, r)
	frame, bind := encodeReply(req, res, rerr)
	s.cacheReply(req, frame, bind)
	s.send(c, frame, bind, replyDelay(cx, r), r != nil && r.Swallow == SwallowExecuted)
	for _, f := range cx.after {
		f()
	}
	s.st.syncMedia()
}

// decodeRequest reads a decoded frame as a request of a socket bound to
// session bound ("" none), or says how the frame is refused.
func decodeRequest(v any, bound string) (*request, *refusal) {
	m, ok := v.(map[string]any)
	if bound != "" && (!ok && v != nil || ok && !paramsMergeable(m)) {
		// On a socket bound to a session KMS writes the sessionId into
		// params before anything else; with no object to write it into
		// (a batch, a string, params that are not an object) that throws
		// and KMS drops the socket, without a reply or a close frame.
		return nil, &refusal{drop: true}
	}
	if !ok {
		return nil, &refusal{reply: errorFrame(nil, invalidRequest())}
	}
	ver, _ := m["jsonrpc"].(string)
	method, mok := m["method"].(string)
	idv, hasID := m["id"]
	switch idv.(type) {
	case map[string]any, []any:
		mok = false
	}
	if ver != kms.JSONRPCVersion || !mok {
		return nil, &refusal{reply: errorFrame(nil, invalidRequest())}
	}
	req := &request{id: idv, idText: cacheIDText(idv), notification: !hasID || idv == nil, method: method}
	if !paramsMergeable(m) {
		// KMS looks params up as an object: jsoncpp throws.
		if req.notification {
			return nil, &refusal{}
		}
		return nil, &refusal{reply: errorFrame(idv, plainError(kms.CodeInternalError, kms.MsgUnexpectedPrefix+"in Json::Value::find(begin, end): requires objectValue or nullValue"))}
	}
	pv, hasParams := m["params"]
	req.params, _ = pv.(map[string]any)
	req.nullParams = hasParams && pv == nil
	if bound != "" {
		if req.params == nil {
			req.params = map[string]any{}
		}
		if _, ok := req.params[kms.ParamSessionID]; !ok {
			req.params[kms.ParamSessionID] = bound
		}
	}
	req.sid, _ = req.params[kms.ParamSessionID].(string)
	if method == kms.MethodInvoke {
		req.operation, _ = req.params[kms.ParamOperation].(string)
	}
	return req, nil
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

// refuse drops the socket or sends the refusal's reply.
func (s *Server) refuse(c *conn, no *refusal) {
	switch {
	case no.drop:
		s.log.Debug("kurentotest: frame without room for the sessionId, dropping the socket", "conn", c.n)
		c.abort()
	case no.reply != nil:
		c.send(no.reply)
	}
}

// logEntry is the call log's entry for the request.
func (req *request) logEntry(conn int) Call {
	call := Call{Conn: conn, SessionID: req.sid, Method: req.method, Time: time.Now()}
	if !req.notification {
		call.ID = string(encode(req.id))
	}
	call.Object, _ = req.params[kms.ParamObject].(string)
	call.Operation, _ = req.params[kms.ParamOperation].(string)
	switch {
	case req.params != nil:
		call.Params = encode(req.params)
	case req.nullParams:
		call.Params = encode(nil)
	}
	return call
}

// reactionFor takes the reaction that applies to the request, if any: one
// on its invoke operation first, then one on its method.
func (s *Server) reactionFor(req *request) *Reaction {
	if req.operation != "" {
		if r := s.takeReaction("", req.operation); r != nil {
			return r
		}
	}
	return s.takeReaction(req.method, "")
}

// execute runs the request, or fails it as the reaction says.
func (s *Server) execute(cx *callCtx, req *request, r *Reaction) (any, *rpcError) {
	if r != nil && r.Fail != nil {
		return nil, r.Fail.rpcError()
	}
	return s.st.call(cx, req.method, req.params)
}

// encodeReply writes the reply frame of an executed request and the
// session the reply binds the socket to ("" none).
func encodeReply(req *request, res any, rerr *rpcError) (frame []byte, bind string) {
	if rerr == nil {
		bind = resultSession(res)
	}
	switch {
	case req.notification && rerr != nil:
		return errorFrame(nil, rerr), ""
	case req.notification && res == nil && req.method == kms.MethodCloseSession:
		return []byte{}, ""
	case req.notification:
		return errorFrame(nil, &rpcError{code: kms.CodeServerError, message: kms.MsgIgnoringResponse, data: res}), ""
	case rerr != nil:
		return errorFrame(req.id, rerr), bind
	}
	return encode(map[string]any{"id": req.id, "jsonrpc": kms.JSONRPCVersion, "result": res}), bind
}

// resultSession is the sessionId of a result ("" none).
func resultSession(res any) string {
	switch r := res.(type) {
	case map[string]any:
		s, _ := r[kms.ParamSessionID].(string)
		return s
	case kms.DescribeResult:
		return r.SessionID
	}
	return ""
}

// replyDelay is how long the reply waits: as the reaction says, else as
// the operation asked (getUsedCpu's interval).
func replyDelay(cx *callCtx, r *Reaction) time.Duration {
	if r != nil && r.Delay > 0 {
		return r.Delay
	}
	return cx.delay
}

// send delivers the reply now, later, or never when swallowed.
func (s *Server) send(c *conn, frame []byte, bind string, delay time.Duration, swallow bool) {
	switch {
	case swallow:
	case delay > 0:
		s.deliverLater(c, frame, bind, delay)
	default:
		s.deliver(c, frame, bind)
	}
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
	s.later(d, c.gone, func() {
		if !c.dropped {
			s.deliver(c, frame, bind)
		}
	})
}

// later runs f with s.mu held once d has passed, unless the server stops
// or cancel closes first; f does not run on a closed server. It is how the
// fake schedules what a real server does after a while (a delayed reply,
// a player's end of stream).
func (s *Server) later(d time.Duration, cancel <-chan struct{}, f func()) {
	s.wg.Go(func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.done:
			return
		case <-cancel:
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.closed {
			f()
		}
	})
}

func errorFrame(id any, e *rpcError) []byte {
	return encode(map[string]any{"error": e.tree(), "id": id, "jsonrpc": kms.JSONRPCVersion})
}
