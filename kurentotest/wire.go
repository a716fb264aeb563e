package kurentotest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gokurento/kurento/internal/kms"
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

// CodeName returns the data.type KMS sends with an error code
// ("UNDEFINED" for codes it does not name), from the code table of
// internal/kms. JSON-RPC codes, which KMS sends without data, give the
// JSON-RPC error's name.
func CodeName(code int) string {
	switch c := kms.Code(code); {
	case c == kms.CodeServerError:
		return kms.Undefined
	case c.IsJSONRPC():
		return c.String()
	default:
		return c.Wire()
	}
}

// rpcError is an error reply. data is nil for errors sent without data.
type rpcError struct {
	code    kms.Code
	message string
	data    any
}

func (e *rpcError) tree() map[string]any {
	m := map[string]any{"code": int(e.code), "message": e.message}
	if e.data != nil {
		m["data"] = e.data
	}
	return m
}

// kmsError is a Kurento-level error: data {"type": <name>}.
func kmsError(code kms.Code, msg string) *rpcError {
	return &rpcError{code: code, message: msg, data: map[string]any{"type": code.Wire()}}
}

// plainError is a JSON-RPC level error without data.
func plainError(code kms.Code, msg string) *rpcError {
	return &rpcError{code: code, message: msg}
}

func invalidRequest() *rpcError { return plainError(kms.CodeInvalidRequest, kms.MsgInvalidRequest) }

func paramsRequired() *rpcError {
	return &rpcError{code: kms.CodeInvalidParams, message: kms.MsgParamsRequired, data: map[string]any{"type": kms.CodeInvalidParams.String()}}
}

func paramRequired(name string) *rpcError {
	return plainError(kms.CodeServerError, kms.MsgParamRequired(name))
}

func paramKind(name, kind string) *rpcError {
	return plainError(kms.CodeServerError, kms.MsgParamKind(name, kind))
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
