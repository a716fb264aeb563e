package types_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/types"
)

// declared are the struct types FuzzDecodeComplex decodes as.
var declared = []string{
	"ServerInfo", "Stats", "RTCStats", "ElementConnectionData", "RembParams",
	"OfferOptions", "SDES", "IceCandidate", "IceCandidatePair", "VideoCaps",
	"CodecConfiguration", "VideoInfo", "RTCMediaStreamTrackStats",
}

// FuzzDecodeComplex feeds arbitrary JSON to the struct decoders: no panic,
// and what decodes must encode to bytes that decode and encode again to the
// same bytes and value.
func FuzzDecodeComplex(f *testing.F) {
	info, err := os.ReadFile("testdata/serverinfo.json")
	require.NoError(f, err)
	f.Add(uint8(0), info)
	f.Add(uint8(1), []byte(`{"__module__":"kurento","__type__":"RTCInboundRTPStreamStats","id":"a","type":"inboundrtp","timestampMillis":9007199254740993,"jitter":0.5}`))
	f.Add(uint8(3), []byte(`{"source":null,"sink":"p/b","type":"AUDIO","sourceDescription":"default","sinkDescription":"default"}`))
	f.Add(uint8(4), []byte(`{"exponentialFactor":0.04,"upLosses":0,"rembOnConnect":300000}`))
	f.Add(uint8(7), []byte(`{"__module__":"kurento","__type__":"IceCandidate","candidate":"candidate:1 1 UDP 2015363327 127.0.0.1 40001 typ host","sdpMLineIndex":0,"sdpMid":"0"}`))
	f.Add(uint8(9), []byte(`{"codec":"VP8","framerate":{"numerator":30,"denominator":1}}`))
	f.Add(uint8(10), []byte(`{"name":"x","properties":{"a":"b"}}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		typ := declared[int(which)%len(declared)]
		v, err := types.DecodeComplex(data, typ)
		if err != nil {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			require.ErrorIs(t, err, types.ErrInvalidEnum, "only unknown enum values may fail to encode")
			return
		}
		v2, err := types.DecodeComplex(b, typ)
		require.NoError(t, err, "%s", b)
		b2, err := json.Marshal(v2)
		require.NoError(t, err)
		require.Equal(t, string(b), string(b2), "encoding is stable")
		// An empty optional list or map is the same as an unset one on the
		// wire (omitted), so v and v2 may differ there; from v2 on, the
		// value is a fixed point.
		v3, err := types.DecodeComplex(b2, typ)
		require.NoError(t, err)
		require.Equal(t, v2, v3)
	})
}

func TestServerInfoCapture(t *testing.T) {
	b, err := os.ReadFile("testdata/serverinfo.json")
	require.NoError(t, err)
	var info types.ServerInfo
	require.NoError(t, json.Unmarshal(b, &info))
	require.Equal(t, types.ServerTypeKms, info.Type)
	require.Len(t, info.Modules, 3)
	require.Equal(t, []string{"HubPort", "MediaPipeline", "PassThrough"}, info.Modules[0].Factories)
	out, err := json.Marshal(info)
	require.NoError(t, err)
	require.JSONEq(t, string(b), string(out))
}
