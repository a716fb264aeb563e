package rpc

import (
	"errors"
	"fmt"
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

func opErr(method string, err error) error { return fmt.Errorf("rpc: %s: %w", method, err) }
