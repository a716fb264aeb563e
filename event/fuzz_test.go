package event_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/types"
)

// FuzzDecode feeds arbitrary data to the event decoders: they must not
// panic, and whatever decodes must encode and decode again to the same.
func FuzzDecode(f *testing.F) {
	for _, frame := range frames(f) {
		r := raw(f, frame)
		f.Add(r.Type, []byte(r.Data))
	}
	f.Add("Error", []byte(`{"timestampMillis":"-1","tags":null,"errorCode":-2147483648}`))
	f.Add("ObjectDestroyed", []byte(`{"objectId":"\ud800","tags":[{"key":"a"}]}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		ev, err := event.Decode(event.Raw{Type: typ, Data: data})
		if err != nil {
			return
		}
		b, err := json.Marshal(ev)
		if err != nil {
			require.ErrorIs(t, err, types.ErrInvalidEnum, "only unknown enum values may fail to encode")
			return
		}
		ev2, err := event.Decode(event.Raw{Type: typ, Data: b})
		require.NoError(t, err, "%s", b)
		b2, err := json.Marshal(ev2)
		require.NoError(t, err)
		require.Equal(t, string(b), string(b2))
		require.True(t, ev.EventBase().Timestamp.Equal(ev2.EventBase().Timestamp))
	})
}

// customHit stands for the event struct of a custom module, built as
// cmd/kurento-gen writes them on DecodeData and EncodeData.
type customHit struct {
	event.Base `json:"-"`
	Count      int32   `json:"count"`
	Label      string  `json:"label"`
	Scores     []int64 `json:"scores"`
}

// FuzzDecodeData: the decoder of custom modules' events must not panic,
// and whatever decodes must encode and decode again to the same.
func FuzzDecodeData(f *testing.F) {
	f.Add("Hit", []byte(`{"source":"x","timestampMillis":"1700000000000","tags":[],"count":3,"label":"a","scores":[1,2]}`))
	f.Add("Hit", []byte(`{"count":"3"}`))
	f.Add("Other", []byte(`{}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		var h customHit
		b, err := event.DecodeData(event.Raw{Type: typ, Data: data}, "Hit", &h)
		if err != nil {
			return
		}
		h.Base = b
		out, err := event.EncodeData(h.Base, struct {
			Count  int32   `json:"count"`
			Label  string  `json:"label"`
			Scores []int64 `json:"scores"`
		}{h.Count, h.Label, h.Scores})
		require.NoError(t, err)
		var h2 customHit
		b2, err := event.DecodeData(event.Raw{Type: "Hit", Data: out}, "Hit", &h2)
		require.NoError(t, err, "%s", out)
		require.Equal(t, h.Count, h2.Count)
		require.Equal(t, h.Label, h2.Label)
		require.Equal(t, h.Scores, h2.Scores)
		require.Equal(t, b.Source, b2.Source)
		require.True(t, b.Timestamp.Equal(b2.Timestamp))
	})
}
