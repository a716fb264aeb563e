package rpc

import (
	"errors"
	"strconv"
)

// Error is a JSON-RPC error reply from the server. It is only ever built
// from a reply, so errors.As(err, new(*Error)) separates "the server refused"
// from "no answer".
type Error struct {
	Code    int
	Message string
	Data    []byte // raw JSON of the data member, nil when absent
}

func (e *Error) Error() string {
	return "rpc: server error " + strconv.Itoa(e.Code) + ": " + e.Message
}

// Lifecycle sentinels.
var (
	// ErrClosed: the connection was closed by Close, or gave up reconnecting.
	ErrClosed = errors.New("rpc: connection closed")
	// ErrConnectionLost: the request was written but its socket died and the
	// request could not be resent safely; whether it ran on the server is
	// unknown.
	ErrConnectionLost = errors.New("rpc: connection lost with the request in flight")
	// ErrFrameTooLarge: a reply exceeded the read limit and was discarded.
	ErrFrameTooLarge = errors.New("rpc: reply exceeds the read limit")
	// ErrMalformedReply: a reply to the call arrived but was not a valid
	// JSON-RPC response.
	ErrMalformedReply = errors.New("rpc: malformed reply")
	// ErrKeepaliveTimeout is the cause of a reconnect when a keepalive ping
	// got no reply in time.
	ErrKeepaliveTimeout = errors.New("rpc: keepalive ping timed out")
)

// PeerClosedError is why a socket died when the server closed it with a
// websocket close frame (KMS closes a socket opened on a wrong path with
// 1002 "Invalid path").
type PeerClosedError struct {
	Code   int    // websocket close status
	Reason string // as the server wrote it
}

func (e *PeerClosedError) Error() string {
	return "rpc: the server closed the socket with status " + strconv.Itoa(e.Code) + " " + strconv.Quote(e.Reason)
}

// notSentError marks an error returned before the request reached the socket.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

func unsent(err error) error { return &notSentError{err: err} }

// SafeToRetry reports whether err was returned by a call whose request never
// left the process, so repeating it cannot run the operation twice.
func SafeToRetry(err error) bool {
	var ns *notSentError
	return errors.As(err, &ns)
}

// Unsent marks err as the failure of a request that never left the
// process, so that [SafeToRetry] reports it. Layers above use it for the
// checks they make before calling.
func Unsent(err error) error {
	if err == nil || SafeToRetry(err) {
		return err
	}
	return unsent(err)
}

// answeredError marks a failure that involved an answer from the server
// that could not be used: malformed, too large, or of the wrong shape.
type answeredError struct{ err error }

func (e *answeredError) Error() string { return e.err.Error() }
func (e *answeredError) Unwrap() error { return e.err }

// Answered reports whether err involved an answer from the server: an
// error reply (*[Error]), or a reply that could not be used
// ([ErrMalformedReply], [ErrFrameTooLarge], a result of the wrong shape).
// Failures without any answer (a lost connection, a closed client, an
// ended ctx) report false.
func Answered(err error) bool {
	var ae *answeredError
	var se *Error
	return errors.As(err, &ae) || errors.As(err, &se)
}

// CallError is a failed call: the method and why. Server error replies are
// returned as *[Error] without it.
type CallError struct {
	Method string
	Err    error
}

func (e *CallError) Error() string { return "rpc: " + e.Method + ": " + e.Err.Error() }
func (e *CallError) Unwrap() error { return e.Err }

func opErr(method string, err error) error { return &CallError{Method: method, Err: err} }
