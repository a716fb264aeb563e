package client

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/gokurento/kurento/rpc"
)

// Error is an error reply from KMS: a JSON-RPC error whose data carries a
// Kurento error type. It is built only from a server reply.
//
// Errors compare by code: errors.Is(err, ErrObjectNotFound) holds for every
// 40101 reply whatever its message.
type Error struct {
	Code    int
	Type    string // data.type, e.g. "MEDIA_OBJECT_NOT_FOUND"; empty for plain JSON-RPC errors
	Message string
	Data    json.RawMessage // the whole data member, for custom modules
}

func (e *Error) Error() string {
	s := "kurento: error " + strconv.Itoa(e.Code)
	if e.Type != "" {
		s = "kurento: " + e.Type + " (" + strconv.Itoa(e.Code) + ")"
	}
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
// text is only the type and code.
func sentinel(code int, typ string) *Error {
	return &Error{Code: code, Type: typ}
}

// Sentinels for every error code KMS 7.3 defines. Match with errors.Is.
var (
	ErrMarshal                     = sentinel(40001, "MARSHALL_ERROR")
	ErrUnexpected                  = sentinel(40003, "UNEXPECTED_ERROR")
	ErrConnect                     = sentinel(40004, "CONNECT_ERROR")
	ErrUnsupportedMediaType        = sentinel(40005, "UNSUPPORTED_MEDIA_TYPE")
	ErrNotImplemented              = sentinel(40006, "NOT_IMPLEMENTED")
	ErrInvalidSession              = sentinel(40007, "INVALID_SESSION")
	ErrMalformedTransaction        = sentinel(40008, "MALFORMED_TRANSACTION")
	ErrNotEnoughResources          = sentinel(40009, "NOT_ENOUGH_RESOURCES")
	ErrObjectTypeNotFound          = sentinel(40100, "MEDIA_OBJECT_TYPE_NOT_FOUND")
	ErrObjectNotFound              = sentinel(40101, "MEDIA_OBJECT_NOT_FOUND")
	ErrConstructorNotFound         = sentinel(40104, "MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND")
	ErrMethodNotFound              = sentinel(40105, "MEDIA_OBJECT_METHOD_NOT_FOUND")
	ErrEventNotSupported           = sentinel(40106, "MEDIA_OBJECT_EVENT_NOT_SUPPORTED")
	ErrIllegalParam                = sentinel(40107, "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR")
	ErrNotAvailable                = sentinel(40108, "MEDIA_OBJECT_NOT_AVAILABLE")
	ErrNotFoundTransactionNoCommit = sentinel(40109, "MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT")
	ErrTagKeyNotFound              = sentinel(40110, "MEDIA_OBJECT_TAG_KEY_NOT_FOUND")
	ErrOperationNotSupported       = sentinel(40111, "MEDIA_OBJECT_OPERATION_NOT_SUPPORTED")
	ErrSDPCreate                   = sentinel(40200, "SDP_CREATE_ERROR")
	ErrSDPParse                    = sentinel(40201, "SDP_PARSE_ERROR")
	ErrSDPNoLocalSDP               = sentinel(40202, "SDP_END_POINT_NO_LOCAL_SDP_ERROR")
	ErrSDPNoRemoteSDP              = sentinel(40203, "SDP_END_POINT_NO_REMOTE_SDP_ERROR")
	ErrSDPGenerateOffer            = sentinel(40204, "SDP_END_POINT_GENERATE_OFFER_ERROR")
	ErrSDPProcessOffer             = sentinel(40205, "SDP_END_POINT_PROCESS_OFFER_ERROR")
	ErrSDPProcessAnswer            = sentinel(40206, "SDP_END_POINT_PROCESS_ANSWER_ERROR")
	ErrSDPConfiguration            = sentinel(40207, "SDP_CONFIGURATION_ERROR")
	ErrSDPAlreadyNegotiated        = sentinel(40208, "SDP_END_POINT_ALREADY_NEGOTIATED")
	ErrSDPNotOfferGenerated        = sentinel(40209, "SDP_END_POINT_NOT_OFFER_GENERATED")
	ErrSDPAnswerAlreadyProcessed   = sentinel(40210, "SDP_END_POINT_ANSWER_ALREADY_PROCCESED")
	ErrSDPCannotCreateSession      = sentinel(40211, "SDP_END_POINT_CANNOT_CREATE_SESSON")
	ErrHTTPEndpointRegistration    = sentinel(40300, "HTTP_END_POINT_REGISTRATION_ERROR")
	ErrICEGatherCandidates         = sentinel(40400, "ICE_GATHER_CANDIDATES_ERROR")
	ErrICEAddCandidate             = sentinel(40401, "ICE_ADD_CANDIDATE_ERROR")
	ErrKmdNotFound                 = sentinel(40500, "SERVER_MANAGER_ERROR_KMD_NOT_FOUND")
	ErrURIPathFileNotFound         = sentinel(40600, "URI_PATH_FILE_NOT_FOUND")
	ErrPlayerSeekFail              = sentinel(40700, "PLAYER_SEEK_FAIL")
	ErrJSONRPCInvalidRequest       = sentinel(-32600, "")
	ErrJSONRPCMethodNotFound       = sentinel(-32601, "")
	ErrJSONRPCInvalidParams        = sentinel(-32602, "")
	ErrJSONRPCInternal             = sentinel(-32603, "")
	ErrJSONRPCServer               = sentinel(-32000, "")
)

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

// OpError adds the operation to a failure: what was called, on which object.
type OpError struct {
	Op       string // JSON-RPC method: create, invoke, describe, subscribe, ...
	Type     string // class name for create, when known
	Method   string // invoke operation or event type
	ObjectID string
	Err      error
}

func (e *OpError) Error() string {
	s := "kurento: " + e.Op
	if e.Method != "" {
		s += " " + e.Method
	}
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.ObjectID != "" {
		s += " on " + e.ObjectID
	}
	return s + ": " + causeText(e.Op, e.Err)
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

// serverError builds an *Error from the members of an error reply.
func serverError(code int, msg string, data []byte) *Error {
	e := &Error{Code: code, Message: msg}
	if len(data) > 0 && string(data) != "null" {
		e.Data = json.RawMessage(data)
		var d struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(data, &d) == nil {
			e.Type = d.Type
		}
	}
	return e
}
