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
