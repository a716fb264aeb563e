package kurentotest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
)

// Values inside the fake are plain JSON trees: map[string]any, []any,
// string, json.Number, bool, nil (and float for computed doubles). encode
// writes them like KMS's jsoncpp writer: compact, object keys sorted, no
// HTML escaping.

// encode writes v as compact JSON with sorted object keys.
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(normalize(v)); err != nil {
		// Only values built by the fake reach here; this is a bug.
		panic("kurentotest: encode: " + err.Error())
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// normalize rewrites floats the way jsoncpp prints doubles (17 significant
// digits, always with a fraction or exponent) and raw JSON into trees, so
// key order is always sorted.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normalize(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = normalize(e)
		}
		return l
	case []string:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return l
	case float64:
		return json.Number(formatDouble(x))
	case float32:
		return json.Number(formatDouble(float64(x)))
	case json.RawMessage:
		t, err := decode(x)
		if err != nil {
			return nil
		}
		return normalize(t)
	}
	return v
}

func formatDouble(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "null"
	}
	s := strconv.FormatFloat(f, 'g', 17, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// decode parses one JSON value into a tree, keeping numbers as json.Number.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errTrailingData
	}
	return v, nil
}

type wireError string

func (e wireError) Error() string { return string(e) }

const errTrailingData = wireError("trailing data after json value")

// toTree turns any Go value into a JSON tree through encoding/json.
func toTree(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decode(b)
}

// ---- errors ----

// KMS error codes (PROTOCOL.md §9.2).
const (
	codeMarshall                    = 40001
	codeUnexpected                  = 40003
	codeConnect                     = 40004
	codeUnsupportedMediaType        = 40005
	codeNotImplemented              = 40006
	codeInvalidSession              = 40007
	codeMalformedTransaction        = 40008
	codeNotEnoughResources          = 40009
	codeObjectNotFound              = 40101
	codeEventNotSupported           = 40106
	codeIllegalParam                = 40107
	codeNotAvailable                = 40108
	codeNotFoundTransactionNoCommit = 40109
	codeTagKeyNotFound              = 40110
	codeOperationNotSupported       = 40111
	codeSDPParse                    = 40201
	codeNoLocalSDP                  = 40202
	codeNoRemoteSDP                 = 40203
	codeAlreadyNegotiated           = 40208
	codeNotOfferGenerated           = 40209
	codeAnswerAlreadyProcessed      = 40210
	codeProcessAnswer               = 40206
	codeKmdNotFound                 = 40500
	codeSeekFail                    = 40700
)

var codeNames = map[int]string{
	-32700: "PARSE_ERROR",
	-32600: "INVALID_REQUEST",
	-32601: "METHOD_NOT_FOUND",
	-32602: "INVALID_PARAMS",
	-32603: "INTERNAL_ERROR",
	40001:  "MARSHALL_ERROR",
	40003:  "UNEXPECTED_ERROR",
	40004:  "CONNECT_ERROR",
	40005:  "UNSUPPORTED_MEDIA_TYPE",
	40006:  "NOT_IMPLEMENTED",
	40007:  "INVALID_SESSION",
	40008:  "MALFORMED_TRANSACTION",
	40009:  "NOT_ENOUGH_RESOURCES",
	40100:  "MEDIA_OBJECT_TYPE_NOT_FOUND",
	40101:  "MEDIA_OBJECT_NOT_FOUND",
	40104:  "MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND",
	40105:  "MEDIA_OBJECT_METHOD_NOT_FOUND",
	40106:  "MEDIA_OBJECT_EVENT_NOT_SUPPORTED",
	40107:  "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR",
	40108:  "MEDIA_OBJECT_NOT_AVAILABLE",
	40109:  "MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT",
	40110:  "MEDIA_OBJECT_TAG_KEY_NOT_FOUND",
	40111:  "MEDIA_OBJECT_OPERATION_NOT_SUPPORTED",
	40200:  "SDP_CREATE_ERROR",
	40201:  "SDP_PARSE_ERROR",
	40202:  "SDP_END_POINT_NO_LOCAL_SDP_ERROR",
	40203:  "SDP_END_POINT_NO_REMOTE_SDP_ERROR",
	40204:  "SDP_END_POINT_GENERATE_OFFER_ERROR",
	40205:  "SDP_END_POINT_PROCESS_OFFER_ERROR",
	40206:  "SDP_END_POINT_PROCESS_ANSWER_ERROR",
	40207:  "SDP_CONFIGURATION_ERROR",
	40208:  "SDP_END_POINT_ALREADY_NEGOTIATED",
	40209:  "SDP_END_POINT_NOT_OFFER_GENERATED",
	40210:  "SDP_END_POINT_ANSWER_ALREADY_PROCCESED",
	40211:  "SDP_END_POINT_CANNOT_CREATE_SESSON",
	40300:  "HTTP_END_POINT_REGISTRATION_ERROR",
	40400:  "ICE_GATHER_CANDIDATES_ERROR",
	40401:  "ICE_ADD_CANDIDATE_ERROR",
	// 40500 (kmd module not found) has no name: a real KMS sends it with
	// type UNDEFINED.
	40600: "URI_PATH_FILE_NOT_FOUND",
	40700: "PLAYER_SEEK_FAIL",
}

// CodeName returns the data.type KMS sends with an error code ("UNDEFINED"
// for codes it does not name).
func CodeName(code int) string {
	if n, ok := codeNames[code]; ok {
		return n
	}
	return "UNDEFINED"
}

// rpcError is an error reply. data is nil for errors sent without data.
type rpcError struct {
	code    int
	message string
	data    any
}

func (e *rpcError) tree() map[string]any {
	m := map[string]any{"code": e.code, "message": e.message}
	if e.data != nil {
		m["data"] = e.data
	}
	return m
}

// kmsError is a Kurento-level error: data {"type": <name>}.
func kmsError(code int, msg string) *rpcError {
	return &rpcError{code: code, message: msg, data: map[string]any{"type": CodeName(code)}}
}

// plainError is a JSON-RPC level error without data.
func plainError(code int, msg string) *rpcError {
	return &rpcError{code: code, message: msg}
}

func invalidRequest() *rpcError { return plainError(-32600, "Invalid JSON-RPC request.") }

func paramsRequired() *rpcError {
	return &rpcError{code: -32602, message: "'params' is required", data: map[string]any{"type": "INVALID_PARAMS"}}
}

func paramRequired(name string) *rpcError {
	return plainError(-32000, "'"+name+"' parameter is required")
}

func paramKind(name, kind string) *rpcError {
	return plainError(-32000, "'"+name+"' parameter should be "+kind)
}

// ---- reading params (JSON-RPC level, -32000 errors) ----

func getString(p map[string]any, name string, required bool) (string, bool, *rpcError) {
	v, ok := p[name]
	if !ok || v == nil {
		if required {
			return "", false, paramRequired(name)
		}
		return "", false, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", false, paramKind(name, "a string")
	}
	return s, true, nil
}

func getArray(p map[string]any, name string) ([]any, *rpcError) {
	v, ok := p[name]
	if !ok || v == nil {
		return nil, paramRequired(name)
	}
	l, ok := v.([]any)
	if !ok {
		return nil, paramKind(name, "an array")
	}
	return l, nil
}

func getBool(p map[string]any, name string) (bool, *rpcError) {
	v, ok := p[name]
	if !ok || v == nil {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, paramKind(name, "a boolean")
	}
	return b, nil
}
