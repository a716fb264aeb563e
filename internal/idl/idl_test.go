package idl_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/idl"
)

// The figures of the 7.3 IDL, as counted by IDL-CATALOG.md: classes,
// methods (property accessors excluded), properties (and how many have a
// setter), events a class can declare (the bases RaiseBase and Media are
// extra), complex types (structs plus enums).
func TestCatalogueCounts(t *testing.T) {
	f := idl.Load()
	var methods, props, writable, structs, enums int
	for _, c := range f.Classes {
		methods += len(c.Methods)
		props += len(c.Properties)
		for _, p := range c.Properties {
			if p.Writable() {
				writable++
			}
		}
	}
	for _, ty := range f.Types {
		if ty.Enum {
			enums++
		} else {
			structs++
		}
	}
	assert.Len(t, f.Classes, 29, "classes")
	assert.Equal(t, 52, methods, "methods")
	assert.Equal(t, 40, props, "properties")
	assert.Equal(t, 21, writable, "writable properties")
	assert.Len(t, f.SubscribableEvents(), 26, "events")
	assert.Len(t, f.Events, 28, "events with the bases RaiseBase and Media")
	assert.Len(t, f.Types, 55, "complex types")
	assert.Equal(t, 33, structs, "structs")
	assert.Equal(t, 22, enums, "enums")
	assert.Equal(t, []idl.Module{{"core", "7.3.0"}, {"elements", "7.3.0"}, {"filters", "7.3.0"}}, f.Modules)
}

func TestLoadIsShared(t *testing.T) {
	first, second := idl.Load(), idl.Load()
	assert.Same(t, first, second)
}

func TestHierarchy(t *testing.T) {
	f := idl.Load()
	assert.Equal(t, []string{"BaseRtpEndpoint", "SdpEndpoint", "SessionEndpoint", "Endpoint", "MediaElement", "MediaObject"},
		f.Hierarchy("WebRtcEndpoint"))
	assert.Equal(t, []string{"Hub", "MediaObject"}, f.Hierarchy("Composite"))
	assert.Empty(t, f.Hierarchy("MediaObject"))
	assert.Nil(t, f.Hierarchy("NoSuchClass"))
	assert.True(t, f.IsA("WebRtcEndpoint", "MediaElement"))
	assert.True(t, f.IsA("HubPort", "HubPort"))
	assert.False(t, f.IsA("Composite", "MediaElement"))
}

func TestClassEvents(t *testing.T) {
	f := idl.Load()
	assert.Equal(t, []string{
		"ElementConnected", "ElementDisconnected", "EndOfStream", "Error",
		"MediaFlowInStateChanged", "MediaFlowOutStateChanged",
		"MediaTranscodingStateChanged", "UriEndpointStateChanged",
	}, f.ClassEvents("PlayerEndpoint"))
	assert.Equal(t, []string{
		"ElementConnected", "ElementDisconnected", "EndOfStream", "Error",
		"MediaFlowInStateChanged", "MediaFlowOutStateChanged", "MediaSessionStarted",
		"MediaSessionTerminated", "MediaTranscodingStateChanged",
	}, f.ClassEvents("HttpPostEndpoint"))
	assert.Equal(t, []string{"Error", "ObjectCreated", "ObjectDestroyed"}, f.ClassEvents("ServerManager"))
	assert.Equal(t, []string{"Error"}, f.ClassEvents("MediaPipeline"))
	assert.Equal(t, []string{"HttpPostEndpoint", "PlayerEndpoint"}, sorted(f.Declarers("EndOfStream")))
}

func TestAllPropertiesAndMethods(t *testing.T) {
	f := idl.Load()
	props := f.AllProperties("WebRtcEndpoint")
	names := make([]string, 0, len(props))
	for _, p := range props {
		names = append(names, p.Name)
	}
	assert.Equal(t, "networkInterfaces", names[0], "own properties first")
	assert.Contains(t, names, "mtu")
	assert.Contains(t, names, "maxAudioRecvBandwidth")
	assert.Contains(t, names, "encoderBitrate")
	assert.Equal(t, "creationTime", names[len(names)-1], "MediaObject's last")
	assert.Len(t, props, 10+7+2+3+7)

	var methods []string
	for _, m := range f.AllMethods("MediaPipeline") {
		methods = append(methods, m.Name)
	}
	assert.Equal(t, []string{"getGstreamerDot", "dumpGstreamerDot", "addTag", "removeTag", "getTag", "getTags"}, methods)

	ms := f.AllMethods("WebRtcEndpoint")
	i := slices.IndexFunc(ms, func(m idl.Method) bool { return m.Name == "createDataChannel" })
	require.GreaterOrEqual(t, i, 0)
	cdc := ms[i]
	require.Len(t, cdc.Params, 5)
	assert.Equal(t, idl.Param{Name: "maxPacketLifeTime", Type: idl.TypeRef{Name: "int"}, Optional: true, Default: json.RawMessage("-1")}, cdc.Params[2])
	assert.Nil(t, cdc.Return)

	i = slices.IndexFunc(ms, func(m idl.Method) bool { return m.Name == "getStats" })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, &idl.TypeRef{Name: "Stats", Map: true}, ms[i].Return)
}

func TestClassDetails(t *testing.T) {
	f := idl.Load()
	c, ok := f.Class("RecorderEndpoint")
	require.True(t, ok)
	assert.Equal(t, "elements", c.Module)
	assert.False(t, c.Abstract)
	require.NotNil(t, c.Constructor)
	assert.Equal(t, []idl.Param{
		{Name: "mediaPipeline", Type: idl.TypeRef{Name: "MediaPipeline"}},
		{Name: "uri", Type: idl.TypeRef{Name: "String"}},
		{Name: "mediaProfile", Type: idl.TypeRef{Name: "MediaProfileSpecType"}, Optional: true, Default: json.RawMessage(`"WEBM"`)},
		{Name: "stopOnEndOfStream", Type: idl.TypeRef{Name: "boolean"}, Optional: true, Default: json.RawMessage("false")},
	}, c.Constructor.Params)

	mp, ok := f.Class("MediaPipeline")
	require.True(t, ok)
	require.NotNil(t, mp.Constructor)
	assert.Empty(t, mp.Constructor.Params)

	mo, ok := f.Class("MediaObject")
	require.True(t, ok)
	assert.True(t, mo.Abstract)
	assert.Nil(t, mo.Constructor)
	assert.Contains(t, mo.Properties, idl.Property{Name: "children", Type: idl.TypeRef{Name: "MediaObject", List: true}, ReadOnly: true})
	assert.Contains(t, mo.Properties, idl.Property{Name: "id", Type: idl.TypeRef{Name: "String"}, Final: true})

	assert.Equal(t, []string{"HubPort", "MediaPipeline", "PassThrough"}, f.Factories("core"))
	assert.Equal(t, []string{"FaceOverlayFilter", "GStreamerFilter", "ImageOverlayFilter", "ZBarFilter"}, f.Factories("filters"))

	_, ok = f.Class("Stats")
	assert.False(t, ok)
	assert.Equal(t, idl.KindClass, f.Kind("HubPort"))
	assert.Equal(t, idl.KindStruct, f.Kind("Stats"))
	assert.Equal(t, idl.KindEnum, f.Kind("MediaType"))
	assert.Equal(t, idl.KindPrimitive, f.Kind("int64"))
	assert.Equal(t, idl.KindUnknown, f.Kind("Nope"))
}

func TestEventFields(t *testing.T) {
	f := idl.Load()
	names := func(ps []idl.Param) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name+":"+p.Type.String())
		}
		return out
	}
	assert.Equal(t, []string{"source:MediaObject", "timestampMillis:String", "tags:Tag[]", "type:String", "candidate:IceCandidate"},
		names(f.EventFields("IceCandidateFound")))
	assert.Equal(t, []string{"source:MediaObject", "timestampMillis:String", "tags:Tag[]", "objectId:String"},
		names(f.EventFields("ObjectDestroyed")))
	assert.Equal(t, []string{"source:MediaObject", "timestampMillis:String", "tags:Tag[]", "description:String", "errorCode:int", "type:String"},
		names(f.EventFields("Error")))
	assert.Equal(t, []string{"RaiseBase", "Media", "CodeFound"}, f.EventChain("CodeFound"))
	assert.Nil(t, f.EventFields("Nope"))

	e, ok := f.Event("CodeFound")
	require.True(t, ok)
	assert.Equal(t, "filters", e.Module)
	assert.Equal(t, "Media", e.Extends)
}

func TestTypes(t *testing.T) {
	f := idl.Load()
	mt, ok := f.Type("MediaType")
	require.True(t, ok)
	assert.True(t, mt.Enum)
	assert.Equal(t, []string{"AUDIO", "DATA", "VIDEO"}, mt.Values)

	st, ok := f.Type("RTCInboundRTPStreamStats")
	require.True(t, ok)
	assert.Equal(t, "RTCRTPStreamStats", st.Extends)
	all := f.TypeFields("RTCInboundRTPStreamStats")
	require.Len(t, all, 19)
	assert.Equal(t, "id", all[0].Name)
	assert.Equal(t, "jitter", all[18].Name)

	rp, ok := f.Type("RembParams")
	require.True(t, ok)
	assert.Equal(t, idl.Param{Name: "exponentialFactor", Type: idl.TypeRef{Name: "float"}, Optional: true, Default: json.RawMessage("0.04")}, rp.Properties[1])

	cc, ok := f.Type("CodecConfiguration")
	require.True(t, ok)
	assert.Equal(t, idl.TypeRef{Name: "String", Map: true}, cc.Properties[1].Type)
}

func TestTypeRef(t *testing.T) {
	for _, s := range []string{"String", "int64", "Tag[]", "String<>", "ElementConnectionData[]"} {
		r, err := idl.ParseTypeRef(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, r.String())
	}
	for _, s := range []string{"", "[]", "<>", "a b", "Tag[][]"} {
		_, err := idl.ParseTypeRef(s)
		assert.Error(t, err, s)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name  string
		facts string
	}{
		{"syntax", `{`},
		{"duplicate", `{"classes":[{"name":"A","module":"m"}],"types":[{"name":"A","module":"m","enum":true}]}`},
		{"unknown parent", `{"classes":[{"name":"A","module":"m","extends":"B"}]}`},
		{"unknown type", `{"classes":[{"name":"A","module":"m","properties":[{"name":"p","type":"Nope"}]}]}`},
		{"unknown event", `{"classes":[{"name":"A","module":"m","events":["E"]}]}`},
		{"cycle", `{"classes":[{"name":"A","module":"m","extends":"B"},{"name":"B","module":"m","extends":"A"}]}`},
		{"struct extends enum", `{"types":[{"name":"E","module":"m","enum":true},{"name":"S","module":"m","extends":"E"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := idl.Parse([]byte(tt.facts))
			assert.Error(t, err)
		})
	}
}

// TestFromKMD converts a small kmd.json pair and checks that facts survive
// and documentation does not.
func TestFromKMD(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		return b
	}
	// Given in the wrong order on purpose: imports decide.
	f, err := idl.FromKMD(read("extra.kmd.json"), read("base.kmd.json"))
	require.NoError(t, err)
	got, err := f.Marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(got), "doc")
	assert.NotContains(t, string(got), "prose")
	want := read("want.facts.json")
	assert.JSONEq(t, string(want), string(got))
	assert.Equal(t, []idl.Module{{"base", "1.0.0"}, {"extra", "2.0.0"}}, f.Modules)

	_, err = idl.FromKMD([]byte(`{"name":"x","imports":[{"name":"missing"}]}`))
	require.Error(t, err)
	_, err = idl.FromKMD([]byte(`{"name":"x","complexTypes":[{"name":"T","typeFormat":"ODD"}]}`))
	assert.Error(t, err)
}

// TestEmbeddedIsCanonical guards against hand edits: the embedded file must
// be exactly what Marshal writes for its contents.
func TestEmbeddedIsCanonical(t *testing.T) {
	b, err := os.ReadFile("facts.json")
	require.NoError(t, err)
	f, err := idl.Parse(b)
	require.NoError(t, err)
	again, err := f.Marshal()
	require.NoError(t, err)
	assert.Equal(t, string(b), string(again))
	assert.NotContains(t, string(b), `"doc"`)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
