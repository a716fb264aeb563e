package endpoint_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

func TestTransactionBuildsPipelineInOneRoundTrip(t *testing.T) {
	ctx, srv, c := dial(t)
	before := len(srv.Calls())

	tx := c.Begin()
	p, err := pipeline.NewMediaPipeline(ctx, tx, nil)
	require.NoError(t, err)
	caller, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	require.NoError(t, err)
	callee, err := endpoint.NewWebRtcEndpoint(ctx, p, &endpoint.WebRtcEndpointOptions{UseDataChannels: types.Ptr(true)})
	require.NoError(t, err)
	rec, err := endpoint.NewRecorderEndpoint(ctx, p, "file:///tmp/call.webm", nil)
	require.NoError(t, err)
	require.NoError(t, caller.Connect(ctx, callee, nil))
	require.NoError(t, callee.Connect(ctx, caller, nil))
	require.NoError(t, caller.Connect(ctx, rec, nil))
	require.NoError(t, caller.SetMaxVideoSendBandwidth(ctx, 500))
	assert.Len(t, srv.Calls(), before, "nothing is sent before commit")
	assert.True(t, strings.HasPrefix(caller.ID(), "newref:"))

	require.NoError(t, tx.Commit(ctx))
	calls := srv.Calls()[before:]
	require.Len(t, calls, 1, "one round trip")
	assert.Equal(t, "transaction", calls[0].Method)
	var params struct {
		Operations []json.RawMessage `json:"operations"`
	}
	require.NoError(t, json.Unmarshal(calls[0].Params, &params))
	assert.Len(t, params.Operations, 8)

	for _, id := range []string{p.ID(), caller.ID(), callee.ID(), rec.ID()} {
		assert.NotContains(t, id, "newref:")
		_, ok := srv.Object(id)
		assert.True(t, ok, id)
	}
	sinks, err := caller.GetSinkConnections(ctx, nil)
	require.NoError(t, err)
	var ids []string
	for _, s := range sinks {
		ids = append(ids, s.Sink.ID())
	}
	assert.Contains(t, ids, callee.ID())
	assert.Contains(t, ids, rec.ID())
	bw, err := caller.GetMaxVideoSendBandwidth(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 500, bw)
}

func TestConstructorOptions(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)

	tests := []struct {
		name string
		opts *endpoint.WebRtcEndpointOptions
		want string
	}{
		{name: "nil", opts: nil, want: `{"mediaPipeline":%q}`},
		{name: "empty", opts: &endpoint.WebRtcEndpointOptions{}, want: `{"mediaPipeline":%q}`},
		{
			name: "false is sent",
			opts: &endpoint.WebRtcEndpointOptions{Recvonly: types.Ptr(false), QosDscp: types.DSCPValueAf41},
			want: `{"mediaPipeline":%q,"recvonly":false,"qosDscp":"AF41"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := endpoint.NewWebRtcEndpoint(ctx, p, tt.opts)
			require.NoError(t, err)
			got := lastParams(t, srv, "create", "")["constructorParams"]
			want, err := json.Marshal(json.RawMessage(strings.ReplaceAll(tt.want, "%q", `"`+p.ID()+`"`)))
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
		})
	}

	t.Run("invalid enum fails before the wire", func(t *testing.T) {
		before := len(srv.Calls())
		_, err := endpoint.NewWebRtcEndpoint(ctx, p, &endpoint.WebRtcEndpointOptions{CertificateKeyType: "DSA"})
		require.ErrorIs(t, err, client.ErrInvalidArgument)
		require.ErrorIs(t, err, types.ErrInvalidEnum)
		assert.Len(t, srv.Calls(), before)
	})
	t.Run("nil pipeline", func(t *testing.T) {
		_, err := endpoint.NewRtpEndpoint(ctx, nil, nil)
		require.ErrorIs(t, err, client.ErrInvalidArgument)
	})
}

func TestWebRtcNegotiationAndCandidates(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	require.NoError(t, err)

	cands, err := ep.OnIceCandidateFound(ctx)
	require.NoError(t, err)
	done, err := ep.OnIceGatheringDone(ctx)
	require.NoError(t, err)

	offer, err := ep.GenerateOffer(ctx, &endpoint.GenerateOfferOptions{Options: &types.OfferOptions{OfferToReceiveVideo: types.Ptr(false)}})
	require.NoError(t, err)
	assert.Contains(t, offer, "v=0")
	assert.Contains(t, string(lastParams(t, srv, "invoke", "generateOffer")["operationParams"]), `"offerToReceiveVideo":false`)

	require.NoError(t, ep.GatherCandidates(ctx))
	var got []types.IceCandidate
	for {
		select {
		case c := <-cands:
			got = append(got, c.Candidate)
			continue
		case d := <-done:
			assert.Equal(t, ep.ID(), d.Source)
		}
		break
	}
	for _, c := range got {
		assert.NotEmpty(t, c.Candidate)
	}

	require.NoError(t, ep.AddIceCandidate(ctx, types.IceCandidate{Candidate: "candidate:1 1 UDP 1 10.0.0.1 9 typ host", SdpMid: "0"}))
	assert.JSONEq(t,
		`{"candidate":{"__module__":"kurento","__type__":"IceCandidate","candidate":"candidate:1 1 UDP 1 10.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}}`,
		string(lastParams(t, srv, "invoke", "addIceCandidate")["operationParams"]))
}

func TestPlayerAndLookup(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	pl, err := endpoint.NewPlayerEndpoint(ctx, p, "http://example.com/a.mp4", &endpoint.PlayerEndpointOptions{NetworkCache: types.Ptr[int32](0)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"mediaPipeline":"`+p.ID()+`","uri":"http://example.com/a.mp4","networkCache":0}`,
		string(lastParams(t, srv, "create", "")["constructorParams"]))

	uri, err := pl.GetUri(ctx)
	require.NoError(t, err)
	assert.Equal(t, "http://example.com/a.mp4", uri)

	states, err := pl.OnUriEndpointStateChanged(ctx)
	require.NoError(t, err)
	require.NoError(t, srv.Emit(pl.ID(), "UriEndpointStateChanged", map[string]any{"state": "START"}))
	assert.Equal(t, types.UriEndpointStateStart, (<-states).State)

	got, err := endpoint.LookupPlayerEndpoint(ctx, c, pl.ID())
	require.NoError(t, err)
	// The concrete handle has the inherited methods and fits the
	// interfaces of its bases.
	var _ endpoint.UriEndpointHandle = got
	var _ endpoint.EndpointHandle = got
	base, err := endpoint.LookupUriEndpoint(ctx, c, pl.ID())
	require.NoError(t, err, "a subclass object is found through its base")
	assert.Equal(t, pl.ID(), base.ID())
}
