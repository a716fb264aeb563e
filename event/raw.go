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
// {"value": {"type", "object", "data"}}, into a Raw.
func ParseParams(params []byte) (Raw, error) {
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

// baseWire is the wire form of Base.
type baseWire struct {
	Source          string          `json:"source"`
	TimestampMillis json.RawMessage `json:"timestampMillis"`
	Tags            []types.Tag     `json:"tags"`
}

// decodeInto fills b and the data fields of v (a pointer to an event
// struct whose Base is tagged json:"-") from r.
func decodeInto(r Raw, name string, b *Base, v any) error {
	if r.Type != "" && r.Type != name {
		return fmt.Errorf("kurento: event %s: cannot decode as %s", strconv.Quote(r.Type), name)
	}
	data := bytes.TrimSpace(r.Data)
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("kurento: event %s: data is not a JSON object", name)
	}
	var w baseWire
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("kurento: event %s: %w", name, err)
	}
	ts, err := parseMillis(w.TimestampMillis)
	if err != nil {
		return fmt.Errorf("kurento: event %s: timestampMillis: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("kurento: event %s: %w", name, err)
	}
	b.Source, b.Timestamp, b.Tags, b.Raw = w.Source, ts, w.Tags, r
	return nil
}

// parseMillis reads epoch milliseconds sent as a JSON string (as KMS does)
// or a JSON integer. Null, absent or "" give the zero time.
func parseMillis(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		if s == "" {
			return time.Time{}, nil
		}
	} else {
		s = string(raw)
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a number of milliseconds: %s", strconv.Quote(s))
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

// decoder decodes one event type; the generated per-module tables list
// them.
type decoder struct {
	name   string
	decode func(Raw) (Event, error)
}

func decodeAs[E Event](f func(Raw) (E, error)) func(Raw) (Event, error) {
	return func(r Raw) (Event, error) {
		e, err := f(r)
		if err != nil {
			return nil, err
		}
		return e, nil
	}
}

var decoders = func() map[string]decoder {
	m := map[string]decoder{}
	for _, table := range [][]decoder{coreEvents, elementsEvents, filtersEvents} {
		for _, d := range table {
			m[d.name] = d
		}
	}
	return m
}()

// Names lists the name of every event of this package, sorted.
var Names = func() []string {
	out := make([]string, 0, len(decoders))
	for n := range decoders {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}()

// Decode decodes r as the event named by r.Type. The result holds an event
// struct value, such as [IceCandidateFound]. An unknown type fails with
// [ErrUnknownEvent]; the caller still has r.
func Decode(r Raw) (Event, error) {
	d, ok := decoders[r.Type]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownEvent, strconv.Quote(r.Type))
	}
	return d.decode(r)
}
