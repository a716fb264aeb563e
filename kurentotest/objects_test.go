package kurentotest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObjectProperties(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, sid, pipe := session(t, tg)
	ep := create(t, w, "WebRtcEndpoint", `{"mediaPipeline":"`+pipe+`"}`)
	assert.True(t, strings.HasPrefix(ep, pipe+"/") && strings.HasSuffix(ep, "_kurento.WebRtcEndpoint"), ep)

	get := func(obj, op string) any {
		t.Helper()
		r, _ := invoke(t, w, obj, op, "")
		require.Contains(t, r, `"result"`, r)
		return value(t, r)
	}
	for op, want := range map[string]any{
		"getName": ep, "getMaxVideoSendBandwidth": 500.0, "getMinVideoSendBandwidth": 100.0,
		"getMinVideoRecvBandwidth": 100.0, "getMaxVideoRecvBandwidth": 0.0, "getMaxAudioRecvBandwidth": 0.0,
		"getMtu": 1200.0, "getStunServerPort": 3478.0, "getStunServerAddress": "", "getTurnUrl": "",
		"getNetworkInterfaces": "", "getExternalIPv4": "", "getMediaState": "DISCONNECTED",
		"getConnectionState": "DISCONNECTED", "getSendTagsInEvents": false, "getTags": []any{},
		"getChildren": []any{}, "getMediaPipeline": pipe, "getParent": pipe, "getId": ep,
	} {
		assert.Equal(t, want, get(ep, op), op)
	}
	assert.Nil(t, get(pipe, "getParent"))
	assert.Equal(t, []any{ep}, get(pipe, "getChildren"))
	ct, ok := get(ep, "getCreationTime").(float64)
	assert.True(t, ok && ct > 0)

	r, _ := invoke(t, w, ep, "setName", `{"name":"n1"}`)
	assert.Contains(t, r, `"result":{"sessionId":"`+sid+`","value":null}}`)
	assert.Equal(t, "n1", get(ep, "getName"))
	r, _ = invoke(t, w, ep, "setMaxVideoSendBandwidth", `{"maxVideoSendBandwidth":"abc"}`)
	assert.Contains(t, r, `{"error":{"code":40001,"data":{"type":"MARSHALL_ERROR"},"message":"'maxVideoSendBandwidth' parameter should be a integer"}`)
	// Read-only properties have no setter.
	r, _ = invoke(t, w, ep, "setMediaState", `{"mediaState":"CONNECTED"}`)
	assert.Contains(t, r, `"message":"Method 'setMediaState' with 1 parameters not found"`)
	// newref outside a transaction.
	r, _ = invoke(t, w, "newref:0", "getName", "")
	assert.Contains(t, r, `"code":40109`)
	// Unknown enum value.
	r, _ = invoke(t, w, ep, "isMediaFlowingIn", `{"mediaType":"SMELL"}`)
	assert.Contains(t, r, `{"error":{"code":40001,"data":{"type":"MARSHALL_ERROR"},"message":"Invalid value for 'MediaType'"}`)
	r, _ = invoke(t, w, ep, "isMediaFlowingIn", `{"mediaType":"DATA"}`)
	assert.Contains(t, r, `"code":40107`)

	// Hub ports live under their hub.
	hub := create(t, w, "Composite", `{"mediaPipeline":"`+pipe+`"}`)
	port := create(t, w, "HubPort", `{"hub":"`+hub+`"}`)
	assert.True(t, strings.HasPrefix(port, hub+"/") && strings.HasSuffix(port, "_kurento.HubPort"), port)
	assert.Equal(t, pipe, get(port, "getMediaPipeline"))

	// Abstract type, qualified name, wrong constructorParams.
	r = w.call(`{"jsonrpc":"2.0","id":"a","method":"create","params":{"type":"MediaElement","constructorParams":{}}}`)
	assert.Contains(t, r, `{"error":{"code":40108,"data":{"type":"MEDIA_OBJECT_NOT_AVAILABLE"},"message":"Factory 'MediaElement' not found"}`)
	r = w.call(`{"jsonrpc":"2.0","id":"b","method":"create","params":{"type":"kurento.PassThrough","constructorParams":{"mediaPipeline":"` + pipe + `"}}}`)
	assert.Contains(t, r, `_kurento.PassThrough"}}`)
	r = w.call(`{"jsonrpc":"2.0","id":"c","method":"create","params":{"type":"PassThrough"}}`)
	assert.Contains(t, r, `"message":"'constructorParams' is required"`)
	r = w.call(`{"jsonrpc":"2.0","id":"d","method":"create","params":{"type":"PassThrough","constructorParams":[]}}`)
	assert.Contains(t, r, `"message":"'constructorParams' should be an object"`)
}

func TestTags(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, _, pipe := session(t, tg)
	r, _ := invoke(t, w, pipe, "getTag", `{"key":"k"}`)
	assert.Contains(t, r, `{"error":{"code":40110,"data":{"type":"MEDIA_OBJECT_TAG_KEY_NOT_FOUND"},"message":"Tag key not found"}`)
	invoke(t, w, pipe, "addTag", `{"key":"k","value":"v"}`)
	r, _ = invoke(t, w, pipe, "getTag", `{"key":"k"}`)
	assert.Equal(t, "v", value(t, r))
	r, _ = invoke(t, w, pipe, "getTags", "")
	assert.Contains(t, r, `"value":[{"__module__":"kurento","__type__":"Tag","key":"k","value":"v"}]}}`)

	// sendTagsInEvents puts the tags in event data.
	el := create(t, w, "PassThrough", `{"mediaPipeline":"`+pipe+`"}`)
	subscribe(t, w, el, "ElementConnected")
	invoke(t, w, el, "addTag", `{"key":"a","value":"b"}`)
	invoke(t, w, el, "setSendTagsInEvents", `{"sendTagsInEvents":true}`)
	_, evs := w.collect(invokeFrame(el, "connect", `{"sink":"`+el+`","mediaType":"AUDIO"}`), `"type":"ElementConnected"`)
	assert.Contains(t, evs[0], `"tags":[{"__module__":"kurento","__type__":"Tag","key":"a","value":"b"}]`)
	invoke(t, w, pipe, "removeTag", `{"key":"k"}`)
	r, _ = invoke(t, w, pipe, "getTags", "")
	assert.Contains(t, r, `"value":[]}}`)
}

func TestConnectAndRelease(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, sid, pipe := session(t, tg)
	a := create(t, w, "PassThrough", `{"mediaPipeline":"`+pipe+`"}`)
	b := create(t, w, "PassThrough", `{"mediaPipeline":"`+pipe+`"}`)
	subscribe(t, w, a, "ElementConnected")
	subscribe(t, w, a, "ElementDisconnected")
	subscribe(t, w, "manager_ServerManager", "ObjectDestroyed")

	// Three ElementConnected, one per media type; their order, and whether
	// they come before the reply, varies on a real KMS.
	r, evs := w.collect(invokeFrame(a, "connect", `{"sink":"`+b+`"}`), `"mediaType":"AUDIO"`, `"mediaType":"VIDEO"`, `"mediaType":"DATA"`)
	assert.Contains(t, r, `"result":{"sessionId":"`+sid+`","value":null}}`)
	for i, mt := range []string{"AUDIO", "VIDEO", "DATA"} {
		match(t, `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{"mediaType":"`+mt+`","sink":"`+b+`","sinkMediaDescription":"default","source":"`+a+`","sourceMediaDescription":"default","tags":[],"timestampMillis":"{{ts}}","type":"ElementConnected"},"object":"`+a+`","type":"ElementConnected"}}}`, evs[i], nil)
	}
	r, _ = invoke(t, w, a, "getSinkConnections", `{"mediaType":"VIDEO"}`)
	assert.Contains(t, r, `"value":[{"__module__":"kurento","__type__":"ElementConnectionData","sink":"`+b+`","sinkDescription":"default","source":"`+a+`","sourceDescription":"default","type":"VIDEO"}]}}`)
	r, _ = invoke(t, w, b, "getSourceConnections", "")
	assert.Len(t, value(t, r), 3)
	r, _ = invoke(t, w, b, "getSinkConnections", "")
	assert.Equal(t, []any{}, value(t, r))

	// Elements of another pipeline.
	other := create(t, w, "MediaPipeline", `{}`)
	c := create(t, w, "PassThrough", `{"mediaPipeline":"`+other+`"}`)
	r, _ = invoke(t, w, a, "connect", `{"sink":"`+c+`"}`)
	assert.Contains(t, r, `{"error":{"code":40004,"data":{"type":"CONNECT_ERROR"},"message":"Media elements do not share pipeline"}`)

	// Releasing the sink disconnects it: the surviving source reports it.
	_, evs = w.collect(`{"jsonrpc":"2.0","id":"rel-b","method":"release","params":{"object":"`+b+`"}}`,
		`"mediaType":"AUDIO","sink":"`+b+`"`, `"mediaType":"VIDEO","sink":"`+b+`"`, `"mediaType":"DATA","sink":"`+b+`"`,
		`"data":{"objectId":"`+b+`","source":"manager_ServerManager"`)
	for i := range 3 {
		assert.Contains(t, evs[i], `"type":"ElementDisconnected"}}}`)
	}

	// Releasing the pipeline releases its children first; release never fails.
	// (On a real KMS the destroy events may follow the reply.)
	reply, _ := w.collect(`{"jsonrpc":"2.0","id":"rel-p","method":"release","params":{"object":"`+pipe+`"}}`,
		`"objectId":"`+a+`"`, `"objectId":"`+pipe+`"`)
	assertFrame(t, `{"id":"rel-p","jsonrpc":"2.0","result":{"sessionId":"`+sid+`"}}`, reply)
	reply, _ = w.request(`{"jsonrpc":"2.0","id":"rel-p2","method":"release","params":{"object":"` + pipe + `"}}`)
	assertFrame(t, `{"id":"rel-p2","jsonrpc":"2.0","result":{"sessionId":"`+sid+`"}}`, reply)
	r, _ = invoke(t, w, a, "getName", "")
	assert.Contains(t, r, `"code":40101`)
}

func TestSubscribeDeduplication(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, sid, pipe := session(t, tg)
	a := create(t, w, "PassThrough", `{"mediaPipeline":"`+pipe+`"}`)
	s1 := subscribe(t, w, a, "ElementConnected")
	s2 := subscribe(t, w, a, "ElementConnected")
	assert.NotEqual(t, s1, s2)
	subscribe(t, w, a, "ElementDisconnected")
	// connected connects a to itself and disconnects it, reads until the
	// ElementDisconnected and at least want ElementConnected have come
	// (a real KMS sends them in either order, even after the replies), and
	// counts the ElementConnected.
	connected := func(want int) int {
		t.Helper()
		_, before := w.request(invokeFrame(a, "connect", `{"sink":"`+a+`","mediaType":"VIDEO"}`))
		count := func(evs []string) (n int, disconnected bool) {
			for _, e := range evs {
				n += strings.Count(e, `"type":"ElementConnected"}}}`)
				disconnected = disconnected || strings.Contains(e, `"type":"ElementDisconnected"}}}`)
			}
			return n, disconnected
		}
		_, evs := w.until(invokeFrame(a, "disconnect", `{"sink":"`+a+`","mediaType":"VIDEO"}`), func(_ string, evs []string) bool {
			n, d := count(append(append([]string(nil), before...), evs...))
			return d && n >= want
		})
		n, _ := count(append(before, evs...))
		return n
	}
	assert.Equal(t, 1, connected(1), "one event per session whatever the number of subscriptions")

	unsub := func(id, sub string) {
		t.Helper()
		assertFrame(t, `{"id":"`+id+`","jsonrpc":"2.0","result":{"sessionId":"`+sid+`"}}`,
			w.call(`{"jsonrpc":"2.0","id":"`+id+`","method":"unsubscribe","params":{"object":"`+a+`","subscription":"`+sub+`"}}`))
	}
	unsub("u1", s1)
	assert.Equal(t, 1, connected(1))
	unsub("u2", s2)
	unsub("u3", "no-such-subscription")
	assert.Equal(t, 0, connected(0))
	assert.Contains(t, w.call(`{"jsonrpc":"2.0","id":"u4","method":"unsubscribe","params":{"object":"x"}}`),
		`{"error":{"code":-32000,"message":"'subscription' parameter is required"}`)
}

func TestTransaction(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, sid, _ := session(t, tg)
	reply := w.call(`{"jsonrpc":"2.0","id":"tx1","method":"transaction","params":{"operations":[` +
		`{"jsonrpc":"2.0","id":0,"method":"create","params":{"type":"MediaPipeline","constructorParams":{}}},` +
		`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"WebRtcEndpoint","constructorParams":{"mediaPipeline":"newref:0"}}},` +
		`{"jsonrpc":"2.0","id":2,"method":"invoke","params":{"object":"newref:1","operation":"setName","operationParams":{"name":"x"}}},` +
		`{"jsonrpc":"2.0","id":3,"method":"invoke","params":{"object":"newref:1","operation":"getName"}}]}}`)
	match(t, `{"id":"tx1","jsonrpc":"2.0","result":{"sessionId":"`+sid+`","value":[`+
		`{"id":0,"jsonrpc":"2.0","result":{"sessionId":"`+sid+`","value":"{{P}}"}},`+
		`{"id":1,"jsonrpc":"2.0","result":{"sessionId":"`+sid+`","value":"{{P}}/{{E}}"}},`+
		`{"id":2,"jsonrpc":"2.0","result":{"sessionId":"`+sid+`","value":null}},`+
		`{"id":3,"jsonrpc":"2.0","result":{"sessionId":"`+sid+`","value":"x"}}]}}`, reply, nil)

	// Stops at the first failure, keeps what ran.
	reply = w.call(`{"jsonrpc":"2.0","id":"tx2","method":"transaction","params":{"operations":[` +
		`{"jsonrpc":"2.0","id":0,"method":"create","params":{"type":"MediaPipeline"}},` +
		`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"Nope"}},` +
		`{"jsonrpc":"2.0","id":2,"method":"create","params":{"type":"MediaPipeline"}}]}}`)
	v := match(t, `{"id":"tx2","jsonrpc":"2.0","result":{"sessionId":"`+sid+`","value":[`+
		`{"id":0,"jsonrpc":"2.0","result":{"sessionId":"`+sid+`","value":"{{P}}"}},`+
		`{"error":{"code":40108,"data":{"type":"MEDIA_OBJECT_NOT_AVAILABLE"},"message":"Factory 'Nope' not found"},"id":1,"jsonrpc":"2.0"}]}}`, reply, nil)
	r, _ := invoke(t, w, v["P"], "getName", "")
	assert.Contains(t, r, `"result"`)

	for _, tc := range []struct{ ops, msg string }{
		{`{"jsonrpc":"2.0","id":5,"method":"ping"}`, `Id of request '0' should be '0'`},
		{`{"jsonrpc":"2.0","id":0,"method":"ping"},{"jsonrpc":"2.0","id":7,"method":"ping"}`, `Id of request '1' should be '1'`},
		{`{"jsonrpc":"2.0","id":0,"method":"invoke","params":{"object":"newref:x","operation":"getName"}}`, `Invalid index of newref 'x'`},
		{`{"jsonrpc":"2.0","id":0,"method":"invoke","params":{"object":"newref:3","operation":"getName"}}`, `Result not found on request 3`},
	} {
		assert.Contains(t, w.call(`{"jsonrpc":"2.0","id":"`+tc.msg+`","method":"transaction","params":{"operations":[`+tc.ops+`]}}`),
			`{"error":{"code":40008,"data":{"type":"MALFORMED_TRANSACTION"},"message":"`+tc.msg+`"}`)
	}
}

func TestSessionsAndCloseSession(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w1, s1, pipe := session(t, tg)
	el := create(t, w1, "PassThrough", `{"mediaPipeline":"`+pipe+`"}`)

	// A second session describes the pipeline: it becomes co-owner.
	w2 := tg.dial(t)
	r := w2.callJSON(`{"jsonrpc":"2.0","id":1,"method":"describe","params":{"object":"` + pipe + `"}}`)
	s2 := r["result"].(map[string]any)["sessionId"].(string)
	match(t, `{"id":2,"jsonrpc":"2.0","result":{"serverId":"{{x}}","sessionId":"`+s2+`"}}`,
		w2.call(`{"jsonrpc":"2.0","id":2,"method":"connect","params":{"sessionId":"`+s2+`"}}`), nil)

	// closeSession of s1 (unref): the element only s1 owned goes, the
	// shared pipeline stays.
	assertFrame(t, `{"id":"c1","jsonrpc":"2.0","result":null}`,
		w1.call(`{"jsonrpc":"2.0","id":"c1","method":"closeSession","params":{"sessionId":"`+s1+`"}}`))
	rep, _ := invoke(t, w2, el, "getName", "")
	assert.Contains(t, rep, `"code":40101`)
	rep, _ = invoke(t, w2, pipe, "getName", "")
	assert.Contains(t, rep, `"result"`)
	assert.Contains(t, w1.call(`{"jsonrpc":"2.0","id":"k1","method":"keepAlive","params":{"sessionId":"`+s1+`"}}`),
		`{"error":{"code":40007,"data":{"type":"INVALID_SESSION"},"message":"Invalid session"}`)
	assertFrame(t, `{"id":"k2","jsonrpc":"2.0","result":{"sessionId":"`+s2+`"}}`,
		w2.call(`{"jsonrpc":"2.0","id":"k2","method":"keepAlive"}`))

	// closeSession with release: everything of the session goes.
	w3, s3, _ := session(t, tg)
	assert.Contains(t, w3.call(`{"jsonrpc":"2.0","id":"r1","method":"ref","params":{"object":"`+pipe+`"}}`), `"result":{"sessionId":"`+s3+`"}`)
	assertFrame(t, `{"id":"c2","jsonrpc":"2.0","result":null}`,
		w3.call(`{"jsonrpc":"2.0","id":"c2","method":"closeSession","params":{"sessionId":"`+s3+`","release":true}}`))
	rep, _ = invoke(t, w2, pipe, "getName", "")
	assert.Contains(t, rep, `"code":40101`)
	assert.Contains(t, w2.call(`{"jsonrpc":"2.0","id":"u1","method":"unref","params":{"object":"gone"}}`), `"result":{"sessionId":"`+s2+`"}`)
}

func TestServerManager(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	w, sid, pipe := session(t, tg)
	r, _ := invoke(t, w, "manager_ServerManager", "getInfo", "")
	assert.Contains(t, r, `"value":{"__module__":"kurento","__type__":"ServerInfo","capabilities":["transactions"],"modules":[`+
		`{"__module__":"kurento","__type__":"ModuleInfo","factories":["HubPort","MediaPipeline","PassThrough"],`)
	assert.Contains(t, r, `"factories":["AlphaBlending","Composite","Dispatcher","DispatcherOneToMany","HttpPostEndpoint","Mixer","PlayerEndpoint","RecorderEndpoint","RtpEndpoint","WebRtcEndpoint"]`)
	assert.Contains(t, r, `"factories":["FaceOverlayFilter","GStreamerFilter","ImageOverlayFilter","ZBarFilter"]`)
	assert.Contains(t, r, `"type":"KMS"`)
	r, _ = invoke(t, w, "manager_ServerManager", "getKmd", `{"moduleName":"nope"}`)
	assert.Contains(t, r, `{"error":{"code":40500,"data":{"type":"UNDEFINED"},"message":"Requested kmd module doesn't exist"}`)
	r, _ = invoke(t, w, "manager_ServerManager", "getKmd", `{"moduleName":"core"}`)
	assert.IsType(t, "", value(t, r))

	if tg.fake == nil {
		return // the rest depends on the server's other sessions
	}
	r, _ = invoke(t, w, "manager_ServerManager", "getPipelines", "")
	assert.Equal(t, []any{pipe}, value(t, r))
	// getPipelines references the pipelines from the session "".
	r, _ = invoke(t, w, "manager_ServerManager", "getSessions", "")
	assert.Equal(t, []any{"", "", "", sid}, value(t, r))
	r, _ = invoke(t, w, "manager_ServerManager", "getUsedCpu", `{"interval":1}`)
	assert.Contains(t, r, `"value":1.7000000476837158}}`)
}
