package event_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/types"
)

// frames reads onEvent notifications, one JSON frame per line, captured
// from a real KMS and from the protocol transcripts.
func frames(tb testing.TB) []json.RawMessage {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.onevent.jsonl"))
	require.NoError(tb, err)
	require.NotEmpty(tb, paths)
	var out []json.RawMessage
	for _, p := range paths {
		f, err := os.Open(p)
		require.NoError(tb, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			out = append(out, json.RawMessage(sc.Text()))
		}
		require.NoError(tb, sc.Err())
		require.NoError(tb, f.Close())
	}
	return out
}

func raw(tb testing.TB, frame json.RawMessage) event.Raw {
	tb.Helper()
	var n struct {
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	require.NoError(tb, json.Unmarshal(frame, &n))
	require.Equal(tb, "onEvent", n.Method)
	r, err := event.ParseParams(n.Params)
	require.NoError(tb, err)
	return r
}

const iceFrame = `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{"candidate":{"__module__":"kurento","__type__":"IceCandidate","candidate":"candidate:1 1 UDP 2015363327 127.0.0.1 40001 typ host","sdpMLineIndex":0,"sdpMid":"0"},"source":"105e7313-8210-4f1a-8c82-b36c6d72c055_kurento.MediaPipeline/f064f253-9261-4ff5-9bbb-c96338512870_kurento.WebRtcEndpoint","tags":[],"timestampMillis":"1795254649149","type":"IceCandidateFound"},"object":"105e7313-8210-4f1a-8c82-b36c6d72c055_kurento.MediaPipeline/f064f253-9261-4ff5-9bbb-c96338512870_kurento.WebRtcEndpoint","type":"IceCandidateFound"}}}`

func TestDecodeIceCandidateFound(t *testing.T) {
	r := raw(t, json.RawMessage(iceFrame))
	const id = "105e7313-8210-4f1a-8c82-b36c6d72c055_kurento.MediaPipeline/f064f253-9261-4ff5-9bbb-c96338512870_kurento.WebRtcEndpoint"
	assert.Equal(t, "IceCandidateFound", r.Type)
	assert.Equal(t, id, r.Object)

	e, err := event.DecodeIceCandidateFound(r)
	require.NoError(t, err)
	assert.Equal(t, id, e.Source)
	assert.True(t, time.UnixMilli(1795254649149).Equal(e.Timestamp))
	assert.Empty(t, e.Tags)
	assert.Equal(t, r, e.Raw)
	assert.Equal(t, "IceCandidateFound", e.Type)
	assert.Equal(t, types.IceCandidate{Candidate: "candidate:1 1 UDP 2015363327 127.0.0.1 40001 typ host", SdpMid: "0", SdpMLineIndex: 0}, e.Candidate)

	// The encoded data is what KMS sent.
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, string(r.Data), string(b))

	_, err = event.DecodeIceGatheringDone(r)
	require.Error(t, err, "type mismatch")
}

func TestDecodeAllCapturedFrames(t *testing.T) {
	seen := map[string]bool{}
	for _, frame := range frames(t) {
		r := raw(t, frame)
		ev, err := event.Decode(r)
		require.NoError(t, err, string(frame))
		assert.Equal(t, r.Type, ev.EventName())
		base := ev.EventBase()
		assert.NotEmpty(t, base.Source)
		assert.False(t, base.Timestamp.IsZero())
		assert.Equal(t, r, base.Raw)
		seen[r.Type] = true

		b, err := json.Marshal(ev)
		require.NoError(t, err)
		assert.JSONEq(t, string(r.Data), string(b), "every data field is kept: %s", r.Type)
	}
	assert.GreaterOrEqual(t, len(seen), 10)
}

func TestDecodeTyped(t *testing.T) {
	for _, frame := range frames(t) {
		r := raw(t, frame)
		switch r.Type {
		case "IceComponentStateChanged":
			e, err := event.DecodeIceComponentStateChanged(r)
			require.NoError(t, err)
			assert.True(t, e.State.Valid())
			assert.Equal(t, int32(1), e.StreamId)
		case "ObjectCreated":
			e, err := event.DecodeObjectCreated(r)
			require.NoError(t, err)
			assert.Equal(t, "manager_ServerManager", e.Source)
			assert.Contains(t, e.Object, "_kurento.")
		case "Error":
			e, err := event.DecodeError(r)
			require.NoError(t, err)
			assert.NotEmpty(t, e.Type, "the error kind")
			assert.NotEmpty(t, e.Description)
		case "ElementConnected":
			e, err := event.DecodeElementConnected(r)
			require.NoError(t, err)
			assert.True(t, e.MediaType.Valid())
			assert.NotEmpty(t, e.Sink)
		}
	}
}

func TestNames(t *testing.T) {
	f := idl.Load()
	assert.Equal(t, f.SubscribableEvents(), event.Names())
	assert.Len(t, event.Names(), 26)
	for _, n := range event.Names() {
		ev, err := event.Decode(event.Raw{Type: n, Data: json.RawMessage(`{}`)})
		require.NoError(t, err, n)
		assert.Equal(t, n, ev.EventName())
		assert.True(t, event.Known(n), n)
	}
	assert.False(t, event.Known("NoSuchEvent"))
	names := event.Names()
	names[0] = "changed"
	assert.NotEqual(t, "changed", event.Names()[0], "Names returns a new slice")
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  event.Raw
	}{
		{"unknown type", event.Raw{Type: "Teleported", Data: json.RawMessage(`{}`)}},
		{"no data", event.Raw{Type: "IceGatheringDone"}},
		{"data not an object", event.Raw{Type: "IceGatheringDone", Data: json.RawMessage(`[1]`)}},
		{"bad json", event.Raw{Type: "IceGatheringDone", Data: json.RawMessage(`{"source":`)}},
		{"bad timestamp", event.Raw{Type: "IceGatheringDone", Data: json.RawMessage(`{"timestampMillis":"soon"}`)}},
		{"wrong field type", event.Raw{Type: "DataChannelOpened", Data: json.RawMessage(`{"channelId":"one"}`)}},
		{"int overflow", event.Raw{Type: "DataChannelOpened", Data: json.RawMessage(`{"channelId":4294967296}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := event.Decode(tt.raw)
			assert.Error(t, err)
		})
	}
	_, err := event.Decode(event.Raw{Type: "Teleported"})
	require.ErrorIs(t, err, event.ErrUnknownEvent)

	_, err = event.ParseParams([]byte(`{}`))
	require.Error(t, err)
	_, err = event.ParseParams([]byte(`nope`))
	require.Error(t, err)
}

func TestTimestampForms(t *testing.T) {
	for in, want := range map[string]time.Time{
		`{"timestampMillis":"1795254649149"}`: time.UnixMilli(1795254649149),
		`{"timestampMillis":1795254649149}`:   time.UnixMilli(1795254649149),
		`{"timestampMillis":""}`:              {},
		`{"timestampMillis":null}`:            {},
		`{}`:                                  {},
	} {
		e, err := event.DecodeIceGatheringDone(event.Raw{Data: json.RawMessage(in)})
		require.NoError(t, err, in)
		assert.True(t, want.Equal(e.Timestamp), in)
	}
}

func TestEncodeForFakeServer(t *testing.T) {
	e := event.MediaFlowInStateChanged{
		Base:      event.Base{Source: "p/e", Timestamp: time.UnixMilli(42)},
		Type:      "MediaFlowInStateChanged",
		State:     types.MediaFlowStateFlowing,
		PadName:   "sink_video_default",
		MediaType: types.MediaTypeVideo,
	}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"mediaType":"VIDEO","padName":"sink_video_default","source":"p/e","state":"FLOWING",
		"tags":[],"timestampMillis":"42","type":"MediaFlowInStateChanged"}`, string(b))

	e.State = "TRICKLING"
	_, err = json.Marshal(e)
	require.ErrorIs(t, err, types.ErrInvalidEnum)

	tagged := event.Error{Base: event.Base{Source: "p", Tags: []types.Tag{{Key: "k", Value: "v"}}}, Type: "INVALID_URI"}
	b, err = json.Marshal(tagged)
	require.NoError(t, err)
	back, err := event.DecodeError(event.Raw{Type: "Error", Data: b})
	require.NoError(t, err)
	assert.Equal(t, tagged.Tags, back.Tags)
	assert.Equal(t, "INVALID_URI", back.Type)
}
