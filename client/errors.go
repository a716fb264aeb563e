package client

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/rpc"
)

//go:generate go run ../internal/cmd/errorsgen

// Code is the code of an error reply: a Kurento code (40001 to 40700;
// 49000 to 49999 for custom modules) or a JSON-RPC 2.0 code (-32700 to
// -32000). Its constants and the sentinels matching them are generated
// from the protocol's code table (errors_gen.go).
type Code int

// String returns the type name of c, as KMS names it in its error replies
// ("MEDIA_OBJECT_NOT_FOUND"), the JSON-RPC error's name for a JSON-RPC code
// ("INVALID_REQUEST"), or "UNDEFINED" for a code KMS 7.3 does not define.
func (c Code) String() string { return kms.Code(c).String() }

// CodeOf returns the code of the server error reply in err's chain (a
// *[Error], also inside an *[OpError] or a *[TxError]); false when err
// holds no reply, e.g. a local failure (see [IsLocal]).
func CodeOf(err error) (Code, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// Error is an error reply from KMS: the code, message and data of a
// JSON-RPC error. It is built only from a server reply (the sentinels
// aside, which only serve errors.Is).
//
// Errors compare by code: errors.Is(err, ErrObjectNotFound) holds for every
// 40101 reply whatever its message.
type Error struct {
	Code Code
	// Type is data.type as the server sent it, e.g.
	// "MEDIA_OBJECT_NOT_FOUND"; empty for plain JSON-RPC errors. A real KMS
	// sends "UNDEFINED" for codes it does not name (40500 among them):
	// Code.String() names every code of the table.
	Type    string
	Message string
	Data    json.RawMessage // the whole data member, for custom modules
}

func (e *Error) Error() string {
	name := e.Code.String()
	if name == kms.Undefined && e.Type != "" {
		name = e.Type // a custom module's own type name
	}
	s := "kurento: " + name + " (" + strconv.Itoa(int(e.Code)) + ")"
	if e.Message == "" { // a sentinel
		return s
	}
	return s + ": " + e.Message
}

// Is matches another *Error by code only, so sentinels match any reply of
// their code.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

// sentinel builds the *Error matched by code; it has no message, so its
// text is only the type name and code.
func sentinel(code Code) *Error { return &Error{Code: code} }

// Local failures, distinct from server replies.
var (
	// ErrClosed: the client was closed.
	ErrClosed = rpc.ErrClosed
	// ErrConnectionLost: the request was sent but its socket died and it
	// could not be resent safely; whether it ran is unknown.
	ErrConnectionLost = rpc.ErrConnectionLost
	// ErrSessionLost: the KMS session is gone (server restarted or the
	// session was garbage-collected). Handles of the old session fail with
	// it; a new session has been started.
	ErrSessionLost = errors.New("kurento: session lost")
	// ErrSlowConsumer: an event subscription's queue overflowed because its
	// channel was not read; the subscription was ended.
	ErrSlowConsumer = errors.New("kurento: event subscription overflowed: consumer too slow")
	// ErrNotKurento: the server did not answer the handshake like KMS.
	ErrNotKurento = errors.New("kurento: server did not answer like Kurento Media Server")
	// ErrInvalidArgument: a call was refused before reaching the wire.
	ErrInvalidArgument = errors.New("kurento: invalid argument")
	// ErrPending: a call that returns a value was made on an object still
	// pending in a transaction. Nothing was queued, since the value could
	// not be returned; [Tx.Invoke] with a result fills it at commit.
	ErrPending = errors.New("kurento: object pending in a transaction: its value would only exist at commit")
	// ErrWrongClass: a typed lookup (such as
	// endpoint.LookupWebRtcEndpoint) found the object, but it is neither of
	// the wanted class nor of a subclass of it.
	ErrWrongClass = errors.New("kurento: object of another class")
)

// IsLocal reports whether err was produced without any answer from the
// server: a lost connection or session, a closed client, a cancelled or
// expired ctx, or a call refused before the wire. A server's error reply,
// and a reply that could not be used (malformed, too large, of the wrong
// shape), are not local.
func IsLocal(err error) bool {
	var ae *answeredError
	var se *Error
	return err != nil && !rpc.Answered(err) && !errors.As(err, &ae) && !errors.As(err, &se)
}

// SafeToRetry reports whether err was returned by a call whose request
// never left the process (refused arguments included), so that repeating
// it cannot run the operation twice on the server.
func SafeToRetry(err error) bool {
	return err != nil && (rpc.SafeToRetry(err) || errors.Is(err, ErrInvalidArgument) || errors.Is(err, ErrPending))
}

// UnusableAnswer marks err as the failure to use an answer the server did
// give (a returned value of the wrong shape), so that [IsLocal] reports
// false. Typed handles use it for the values they decode themselves.
func UnusableAnswer(err error) error {
	if err == nil {
		return nil
	}
	return &answeredError{err: err}
}

// answeredError marks a server answer this package could not use, such as
// a returned value of the wrong type.
type answeredError struct{ err error }

func (e *answeredError) Error() string { return e.err.Error() }
func (e *answeredError) Unwrap() error { return e.err }

// refused marks a failure found before anything was sent.
func refused(err error) error { return rpc.Unsent(err) }

// OpError adds to a failure what was called, on which object.
type OpError struct {
	// Method is the JSON-RPC method: create, invoke, describe, release,
	// subscribe, unsubscribe, transaction, connect; "event" for an event
	// that could not be decoded or delivered.
	Method string
	// Operation is the Kurento operation of an invoke ("getName"), or the
	// event type of a subscribe or of an event.
	Operation string
	Class     string // the class of a create, when known
	ObjectID  string // the target object, when there is one
	Err       error
}

func (e *OpError) Error() string {
	s := "kurento: " + e.Method
	if e.Operation != "" {
		s += " " + e.Operation
	}
	if e.Class != "" {
		s += " " + e.Class
	}
	if e.ObjectID != "" {
		s += " on " + e.ObjectID
	}
	return s + ": " + causeText(e.Method, e.Err)
}

// causeText is the cause of an operation without the context the rpc
// layer added (the same method name again), so each layer names it once.
func causeText(op string, err error) string {
	var ce *rpc.CallError
	if errors.As(err, &ce) && ce.Method == op {
		return trimPrefix(ce.Err)
	}
	return trimPrefix(err)
}

func (e *OpError) Unwrap() error { return e.Err }

func trimPrefix(err error) string {
	s := err.Error()
	if len(s) > 9 && s[:9] == "kurento: " {
		return s[9:]
	}
	return s
}

// convert turns an rpc error into the client's error vocabulary.
func convert(err error) error {
	if err == nil {
		return nil
	}
	var re *rpc.Error
	if errors.As(err, &re) {
		return serverError(re.Code, re.Message, re.Data)
	}
	return err
}

// serverError builds an *Error from the members of an error reply: the one
// constructor of *Error from the wire.
func serverError(code int, msg string, data []byte) *Error {
	e := &Error{Code: Code(code), Message: msg}
	if len(data) > 0 && string(data) != "null" {
		e.Data = json.RawMessage(data)
		e.Type = kms.ErrorType(data)
	}
	return e
}
