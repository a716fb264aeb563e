package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gokurento/kurento/types"
)

// ErrUnknownEvent is returned by [Decode] for an event type this package
// does not know.
var ErrUnknownEvent = errors.New("kurento: unknown event type")

// Raw is an event as received: the params.value of an onEvent notification.
type Raw struct {
	// Type is the event name, e.g. "IceCandidateFound".
	Type string `json:"type"`
	// Object is the id of the object the subscription was made on.
	Object string `json:"object"`
	// Data is the event object with all its fields, inherited ones included.
	Data json.RawMessage `json:"data"`
}

// ParseParams reads the params of an onEvent notification,
// {"value": {"type", "object", "data"}}, into a Raw, checking that data is
// valid JSON. [DecodeParams] goes straight to the event struct instead.
func ParseParams(params []byte) (Raw, error) {
	if r, ok := splitParams(params); ok && json.Valid(r.Data) {
		return r, nil
	}
	return parseParamsJSON(params)
}

// parseParamsJSON is ParseParams by encoding/json alone: the reference
// the KMS-layout split is fuzzed against, and its fallback.
func parseParamsJSON(params []byte) (Raw, error) {
	var p struct {
		Value *Raw `json:"value"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return Raw{}, fmt.Errorf("kurento: onEvent params: %w", err)
	}
	if p.Value == nil {
		return Raw{}, errors.New("kurento: onEvent params without value")
	}
	return *p.Value, nil
}

// DecodeParams decodes the params of an onEvent notification into the
// struct of its event type, parsing the bytes once: KMS writes the members
// of value in a fixed order (data, object, type), so object and type are
// read from the end and data goes through a single decode that also
// validates it. Params in any other layout, and data that fails to decode,
// take the encoding/json path, so the result is the same either way.
//
// An event type this package does not know (a custom module's) gives its
// Raw, which is an [Event] too; so does a known type whose data does not
// decode, together with the decoding error, so that nothing is lost.
func DecodeParams(params []byte) (Event, error) {
	ev, _, err := DecodeParamsFor(params, nil)
	return ev, err
}

// DecodeParamsFor is [DecodeParams] that first asks want (when not nil)
// whether anybody wants the events of that object and type, and decodes
// nothing when not (wanted is false, ev and err nil): a subscription that
// ended still receives what KMS had already sent.
func DecodeParamsFor(params []byte, want func(object, typ string) bool) (ev Event, wanted bool, err error) {
	if r, ok := splitParams(params); ok {
		if want != nil && !want(r.Object, r.Type) {
			return nil, false, nil
		}
		want = nil // asked already
		ev, known, err := decodeKnown(r)
		if !known {
			if json.Valid(r.Data) {
				return r, true, nil
			}
		} else if err == nil {
			return ev, true, nil
		}
	}
	r, err := parseParamsJSON(params)
	if err != nil {
		return nil, true, err
	}
	if want != nil && !want(r.Object, r.Type) {
		return nil, false, nil
	}
	ev, known, err := decodeKnown(r)
	if !known {
		return r, true, nil
	}
	if err != nil {
		return r, true, err
	}
	return ev, true, nil
}

// The fixed parts of params as KMS writes them: its JSON writer sorts
// keys and adds no spaces.
const (
	paramsHead   = `{"value":{"data":`
	paramsObject = `,"object":"`
	paramsType   = `","type":"`
	paramsTail   = `"}}`
)

// splitParams cuts params laid out exactly as KMS writes them into a Raw
// without decoding anything; Data is not validated. Object ids and event
// names are plain ASCII without quotes or escapes; anything else returns
// false and is left to encoding/json.
func splitParams(p []byte) (Raw, bool) {
	rest, ok := bytes.CutPrefix(p, []byte(paramsHead))
	if !ok {
		return Raw{}, false
	}
	if rest, ok = bytes.CutSuffix(rest, []byte(paramsTail)); !ok {
		return Raw{}, false
	}
	i := bytes.LastIndexByte(rest, '"')
	if i < 0 || !plainName(rest[i+1:]) {
		return Raw{}, false
	}
	typ := rest[i+1:]
	if rest, ok = bytes.CutSuffix(rest[:i+1], []byte(paramsType)); !ok {
		return Raw{}, false
	}
	j := bytes.LastIndexByte(rest, '"')
	if j < 0 || !plainName(rest[j+1:]) {
		return Raw{}, false
	}
	obj := rest[j+1:]
	data, ok := bytes.CutSuffix(rest[:j+1], []byte(paramsObject))
	if !ok || len(data) < 2 || data[0] != '{' || data[len(data)-1] != '}' {
		return Raw{}, false
	}
	return Raw{Type: string(typ), Object: string(obj), Data: data}, true
}

// plainName reports whether b is non-empty printable ASCII needing no
// escape in a JSON string.
func plainName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// EventName returns r.Type: a Raw is the [Event] delivered for a type
// this package does not know.
func (r Raw) EventName() string { return r.Type }

// EventBase returns a Base holding only r; the common fields are not
// decoded.
func (r Raw) EventBase() Base { return Base{Raw: r} }

// Base holds the fields every event carries (those of the IDL's RaiseBase).
type Base struct {
	// Source is the id of the object that raised the event.
	Source string
	// Timestamp is when the server built the event, from "timestampMillis"
	// (a string of milliseconds since the Unix epoch). Zero when absent.
	Timestamp time.Time
	// Tags are the source's tags, sent only when its sendTagsInEvents
	// property is true.
	Tags []types.Tag
	// Raw is the event as received.
	Raw Raw
}

// EventBase returns the common fields of the event.
func (b Base) EventBase() Base { return b }

// Event is implemented by every event struct of this package.
type Event interface {
	// EventName returns the IDL name of the event, e.g. "IceCandidateFound".
	EventName() string
	// EventBase returns the fields common to all events.
	EventBase() Base
}

// baseWire is the wire form of Base. An event's decoder embeds it next
// to the event's own fields, so one decode fills both.
type baseWire struct {
	Source          string      `json:"source"`
	TimestampMillis millis      `json:"timestampMillis"`
	Tags            []types.Tag `json:"tags"`
}

// millis is epoch milliseconds sent as a JSON string (as KMS does) or a
// JSON integer; null, absent or "" are the zero time.
type millis struct{ t time.Time }

func (m *millis) UnmarshalJSON(b []byte) error {
	t, err := parseMillis(b)
	if err != nil {
		return fmt.Errorf("timestampMillis: %w", err)
	}
	m.t = t
	return nil
}

// decodeData fills an event from r with one decode of r.Data into target,
// a struct embedding w and the event's fields; b is the event's Base.
func decodeData(r Raw, name string, target any, w *baseWire, b *Base) error {
	if r.Type != "" && r.Type != name {
		return fmt.Errorf("kurento: event %s: cannot decode as %s", strconv.Quote(r.Type), name)
	}
	data := bytes.TrimLeft(r.Data, " \t\r\n")
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("kurento: event %s: data is not a JSON object", name)
	}
	if err := json.Unmarshal(data, target); err != nil {
		return fmt.Errorf("kurento: event %s: %w", name, err)
	}
	b.Source, b.Timestamp, b.Tags, b.Raw = w.Source, w.TimestampMillis.t, w.Tags, r
	return nil
}

// DecodeData decodes the data of r, an event of type name, for the event
// structs of custom modules written by cmd/kurento-gen: the common fields
// into the returned Base (which keeps r), the event's own fields into
// fields, a pointer to a struct of them. It fails if r.Type names another
// event or the data is malformed.
func DecodeData(r Raw, name string, fields any) (Base, error) {
	var w baseWire
	var b Base
	if err := decodeData(r, name, &w, &w, &b); err != nil {
		return Base{}, err
	}
	if err := json.Unmarshal(r.Data, fields); err != nil {
		return Base{}, fmt.Errorf("kurento: event %s: %w", name, err)
	}
	return b, nil
}

// EncodeData writes the data object of an event as KMS sends it: the
// common fields of b and those of fields (the event's own, in a struct
// without methods), for the event structs of custom modules.
func EncodeData(b Base, fields any) ([]byte, error) { return encodeData(b, fields) }

// parseMillis reads epoch milliseconds sent as a JSON string (as KMS does)
// or a JSON integer. Null, absent or "" give the zero time.
func parseMillis(raw []byte) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	s := raw
	if raw[0] == '"' {
		// Digits need no escapes; anything escaped goes through the decoder.
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 {
			s = raw[1 : len(raw)-1]
		} else {
			var str string
			if err := json.Unmarshal(raw, &str); err != nil {
				return time.Time{}, err
			}
			s = []byte(str)
		}
		if len(s) == 0 {
			return time.Time{}, nil
		}
	}
	ms, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a number of milliseconds: %s", strconv.Quote(string(s)))
	}
	return time.UnixMilli(ms), nil
}

// encodeData writes the data object of an event: the fields of b and those
// of v (an event struct converted to a method-less type), with keys sorted
// as KMS writes them.
func encodeData(b Base, v any) ([]byte, error) {
	fields, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(fields, &m); err != nil {
		return nil, err
	}
	ts := ""
	if !b.Timestamp.IsZero() {
		ts = strconv.FormatInt(b.Timestamp.UnixMilli(), 10)
	}
	tags := b.Tags
	if tags == nil {
		tags = []types.Tag{} // KMS always writes the list
	}
	for k, x := range map[string]any{"source": b.Source, "timestampMillis": ts, "tags": tags} {
		if m[k], err = json.Marshal(x); err != nil {
			return nil, err
		}
	}
	return json.Marshal(m)
}

// known turns the result of a generated DecodeX into what decodeKnown
// returns, for the generated per-module switches.
func known[E Event](e E, err error) (Event, bool, error) {
	if err != nil {
		return nil, true, err
	}
	return e, true, nil
}

// decodeKnown decodes r when its type is an event of this package; known
// is false for any other type. Each module's generated file has a switch
// over its events.
func decodeKnown(r Raw) (ev Event, isKnown bool, err error) {
	if ev, isKnown, err = decodeCore(r); isKnown {
		return ev, isKnown, err
	}
	if ev, isKnown, err = decodeElements(r); isKnown {
		return ev, isKnown, err
	}
	return decodeFilters(r)
}

// Names returns the name of every event of this package, sorted. Each call
// returns a new slice.
func Names() []string {
	out := slices.Concat(coreNames(), elementsNames(), filtersNames())
	slices.Sort(out)
	return out
}

// Known reports whether name is an event of this package, one [Decode]
// turns into its struct.
func Known(name string) bool {
	return isCoreEvent(name) || isElementsEvent(name) || isFiltersEvent(name)
}

// Decode decodes r as the event named by r.Type. The result holds an event
// struct value, such as [IceCandidateFound]. An unknown type fails with
// [ErrUnknownEvent]; the caller still has r.
func Decode(r Raw) (Event, error) {
	ev, ok, err := decodeKnown(r)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownEvent, strconv.Quote(r.Type))
	}
	return ev, err
}
