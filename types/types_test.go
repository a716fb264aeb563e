package types_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/types"
)

func TestEnum(t *testing.T) {
	assert.Equal(t, "AUDIO", string(types.MediaTypeAudio))
	assert.Equal(t, []types.MediaType{types.MediaTypeAudio, types.MediaTypeData, types.MediaTypeVideo}, types.MediaTypeValues())
	assert.True(t, types.MediaTypeVideo.Valid())
	assert.False(t, types.MediaType("audio").Valid())
	assert.False(t, types.MediaType("").Valid())

	b, err := json.Marshal(types.MediaTypeAudio)
	require.NoError(t, err)
	assert.JSONEq(t, `"AUDIO"`, string(b))

	_, err = json.Marshal(types.MediaType("SMELL"))
	require.ErrorIs(t, err, types.ErrInvalidEnum)
	var ee *types.InvalidEnumError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "MediaType", ee.Enum)
	assert.Equal(t, "SMELL", ee.Value)
	assert.Equal(t, `kurento: invalid MediaType value "SMELL"`, ee.Error())

	// An unknown value inside a struct fails the whole encoding.
	_, err = json.Marshal(types.AudioCaps{Codec: "MP3", Bitrate: 1})
	require.ErrorIs(t, err, types.ErrInvalidEnum)

	// Decoding accepts values this SDK does not know.
	var m types.MediaType
	require.NoError(t, json.Unmarshal([]byte(`"HOLOGRAM"`), &m))
	assert.Equal(t, types.MediaType("HOLOGRAM"), m)
	assert.False(t, m.Valid())
	assert.Error(t, json.Unmarshal([]byte(`3`), &m))
}

func TestEnumConstantNames(t *testing.T) {
	assert.Equal(t, "AES_128_CM_HMAC_SHA1_80", string(types.CryptoSuiteAes128CmHmacSha1_80))
	assert.Equal(t, "VIDEO_HIGH_THROUGHPUT", string(types.DSCPValueVideoHighThroughput))
	assert.Equal(t, "inboundrtp", string(types.StatsTypeInboundrtp))
	assert.Equal(t, "H264", string(types.VideoCodecH264))
	assert.Len(t, types.DSCPValueValues(), 43)
}

func TestStructEncoding(t *testing.T) {
	b, err := json.Marshal(types.IceCandidate{Candidate: "candidate:1 1 UDP 1 127.0.0.1 9 typ host", SdpMid: "0", SdpMLineIndex: 0})
	require.NoError(t, err)
	assert.JSONEq(t, `{"__module__":"kurento","__type__":"IceCandidate",
		"candidate":"candidate:1 1 UDP 1 127.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}`, string(b))

	// Required false and 0 are sent; optional fields only when set.
	b, err = json.Marshal(types.VideoInfo{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"__module__":"kurento","__type__":"VideoInfo","isSeekable":false,"seekableInit":0,"seekableEnd":0,"duration":0}`, string(b))

	b, err = json.Marshal(types.OfferOptions{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"__module__":"kurento","__type__":"OfferOptions"}`, string(b))
	b, err = json.Marshal(types.OfferOptions{OfferToReceiveVideo: types.Ptr(false)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"__module__":"kurento","__type__":"OfferOptions","offerToReceiveVideo":false}`, string(b))

	b, err = json.Marshal(types.RembParams{UpLosses: types.Ptr[int32](0), ExponentialFactor: types.Ptr[float32](0.04)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"__module__":"kurento","__type__":"RembParams","upLosses":0,"exponentialFactor":0.04}`, string(b))

	b, err = json.Marshal(types.SDES{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"__module__":"kurento","__type__":"SDES"}`, string(b), "empty optional strings and enums are left out")

	// Nested structs carry their own tags.
	b, err = json.Marshal(types.VideoCaps{Codec: types.VideoCodecVp8, Framerate: types.Fraction{Numerator: 30, Denominator: 1}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"__module__":"kurento","__type__":"VideoCaps","codec":"VP8",
		"framerate":{"__module__":"kurento","__type__":"Fraction","numerator":30,"denominator":1}}`, string(b))

	// Maps of strings.
	b, err = json.Marshal(types.CodecConfiguration{Name: "opus/48000/2", Properties: map[string]string{"stereo": "1"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"__module__":"kurento","__type__":"CodecConfiguration","name":"opus/48000/2","properties":{"stereo":"1"}}`, string(b))
}

func TestStructDecoding(t *testing.T) {
	for _, in := range []string{
		`{"__module__":"kurento","__type__":"IceCandidate","candidate":"c","sdpMLineIndex":1,"sdpMid":"audio"}`,
		`{"candidate":"c","sdpMLineIndex":1,"sdpMid":"audio"}`,
		`{"sdpMid":"audio","__type__":"IceCandidate","candidate":"c","sdpMLineIndex":1}`,
	} {
		var c types.IceCandidate
		require.NoError(t, json.Unmarshal([]byte(in), &c), in)
		assert.Equal(t, types.IceCandidate{Candidate: "c", SdpMid: "audio", SdpMLineIndex: 1}, c, in)
	}

	// Inherited fields are flattened into the subtype.
	var s types.RTCInboundRTPStreamStats
	require.NoError(t, json.Unmarshal([]byte(`{"__module__":"kurento","__type__":"RTCInboundRTPStreamStats",
		"id":"x","type":"inboundrtp","timestampMillis":1795255943238,"ssrc":"1","isRemote":false,
		"packetsReceived":10,"bytesReceived":9007199254740993,"jitter":0.25,"fractionLost":0}`), &s))
	assert.Equal(t, "x", s.Id)
	assert.Equal(t, types.StatsTypeInboundrtp, s.Type)
	assert.Equal(t, int64(1795255943238), s.TimestampMillis)
	assert.Equal(t, int64(9007199254740993), s.BytesReceived, "exact beyond 2^53")
	assert.InDelta(t, 0.25, s.Jitter, 0)
}

func TestInt64Exact(t *testing.T) {
	for _, v := range []int64{math.MaxInt64, math.MinInt64, 1<<53 + 1, -(1<<53 + 1)} {
		in := types.VideoInfo{SeekableInit: v, SeekableEnd: v - 1, Duration: v}
		b, err := json.Marshal(in)
		require.NoError(t, err)
		var out types.VideoInfo
		require.NoError(t, json.Unmarshal(b, &out))
		assert.Equal(t, in, out)
	}
	// int is 32 bits: a larger value fails instead of wrapping.
	var f types.Fraction
	assert.Error(t, json.Unmarshal([]byte(`{"numerator":2147483648,"denominator":1}`), &f))
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    any
		ptr  any
	}{
		{
			"ServerInfo",
			types.ServerInfo{
				Version: "7.3.0", Type: types.ServerTypeKms, Capabilities: []string{"transactions"},
				Modules: []types.ModuleInfo{{Name: "core", Version: "7.3.0", GenerationTime: "Jan 1 2025", Factories: []string{"HubPort"}}},
			},
			new(types.ServerInfo),
		},
		{
			"ElementConnectionData",
			types.ElementConnectionData{Source: "p/a", Sink: "p/b", Type: types.MediaTypeVideo, SourceDescription: "default", SinkDescription: "default"},
			new(types.ElementConnectionData),
		},
		{
			"RembParams",
			types.RembParams{PacketsRecvIntervalTop: types.Ptr[int32](100), DecrementFactor: types.Ptr[float32](0.5)},
			new(types.RembParams),
		},
		{"SDES", types.SDES{Key: "k", Crypto: types.CryptoSuiteAes256CmHmacSha1_80}, new(types.SDES)},
		{"EndpointStats", types.EndpointStats{
			Id: "e", Type: types.StatsTypeEndpoint, TimestampMillis: 5,
			E2ELatency: []types.MediaLatencyStat{{Name: "v", Type: types.MediaTypeVideo, Avg: 1.5}},
		}, new(types.EndpointStats)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.v)
			require.NoError(t, err)
			assert.Contains(t, string(b), `"__type__":"`+tt.name+`"`)
			require.NoError(t, json.Unmarshal(b, tt.ptr))
			assert.Equal(t, tt.v, deref(tt.ptr))
		})
	}
}

// deref returns the value p points to.
func deref(p any) any { return reflect.ValueOf(p).Elem().Interface() }

func TestDecodeComplex(t *testing.T) {
	var stats map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(`{
		"a": {"__module__":"kurento","__type__":"RTCInboundRTPStreamStats","id":"a","type":"inboundrtp","timestampMillis":1,"jitter":0.5},
		"b": {"__module__":"kurento","__type__":"EndpointStats","id":"b","type":"endpoint","timestampMillis":2},
		"c": {"id":"c","type":"element","timestampMillis":3},
		"d": {"__type__":"IceCandidate","id":"d"},
		"e": {"__type__":"FutureStats","id":"e"}
	}`), &stats))

	a, err := types.DecodeComplex(stats["a"], "Stats")
	require.NoError(t, err)
	require.IsType(t, types.RTCInboundRTPStreamStats{}, a)
	assert.InDelta(t, 0.5, a.(types.RTCInboundRTPStreamStats).Jitter, 0)

	b, err := types.DecodeComplex(stats["b"], "Stats")
	require.NoError(t, err)
	assert.IsType(t, types.EndpointStats{}, b)

	for _, k := range []string{"c", "d", "e"} {
		v, err := types.DecodeComplex(stats[k], "Stats")
		require.NoError(t, err, k)
		assert.Equal(t, types.Stats{Id: k, Type: map[string]types.StatsType{"c": "element"}[k], TimestampMillis: map[string]int64{"c": 3}[k]}, v, k)
	}

	_, err = types.DecodeComplex(stats["a"], "RTCCodec")
	require.NoError(t, err, "not a subtype of RTCCodec: decoded as RTCCodec")
	_, err = types.DecodeComplex(stats["a"], "NoSuchType")
	require.ErrorIs(t, err, types.ErrUnknownType)
	_, err = types.DecodeComplex([]byte(`[`), "Stats")
	require.Error(t, err)
	assert.Equal(t, "IceCandidate", types.IceCandidate{}.KurentoType())
}
