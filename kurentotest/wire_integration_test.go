//go:build integration

package kurentotest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
)

// The wire comparison plays one request script against the real KMS at
// KURENTO_URL, records the exchange in the frame format of
// testdata/*.frames.txt, and replays the recording against the fake, which
// must answer byte for byte the same (server-made UUIDs mapped, timestamps
// masked, see replay_test.go). The script asks every property of every
// class the fake knows, with the constructors of every factory, and sends
// the malformed requests, batches and notifications a client can send.
//
// KURENTO_RECORD_WIRE=1 also writes the recording to
// testdata/k_wire.frames.txt, which TestReplayWire replays without a KMS.

// wireStep is one request: frame may name the value of an earlier reply as
// ${name}; name binds this reply's value.
type wireStep struct {
	sock, name, frame, note string
	// drops: the server answers by dropping the socket.
	drops bool
}

// wireSkipProps are getters left out: getIceTcp kills KMS 7.3; a real
// KMS lists children in no fixed order; the others answer what the host or
// the clock says.
var wireSkipProps = map[string]bool{
	"children": true,
	"iceTcp":   true, "creationTime": true, "usedMemory": true, "cpuCount": true,
	"info": true, "pipelines": true, "sessions": true, "metadata": true,
}

type factsClass struct {
	Name       string `json:"name"`
	Extends    string `json:"extends"`
	Abstract   bool   `json:"abstract"`
	Properties []struct {
		Name string `json:"name"`
	} `json:"properties"`
}

// wireScript builds the request script from the SDK's IDL facts.
func wireScript(t *testing.T) []wireStep {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "idl", "facts.json"))
	require.NoError(t, err)
	var facts struct {
		Classes []factsClass `json:"classes"`
	}
	require.NoError(t, json.Unmarshal(b, &facts))
	classes := map[string]factsClass{}
	for _, c := range facts.Classes {
		classes[c.Name] = c
	}
	props := func(name string) []string {
		var out []string
		for c, ok := classes[name]; ok; c, ok = classes[c.Extends] {
			for _, p := range c.Properties {
				out = append(out, p.Name)
			}
		}
		return out
	}

	id := 0
	var steps []wireStep
	req := func(name, method, params string) {
		id++
		f := `{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"` + method + `"`
		if params != "" {
			f += `,"params":` + params
		}
		steps = append(steps, wireStep{sock: "W1", name: name, frame: f + "}"})
	}
	raw := func(sock, note, frame string) { steps = append(steps, wireStep{sock: sock, frame: frame, note: note}) }
	invoke := func(obj, op, params string) {
		p := `{"object":"` + obj + `","operation":"` + op + `"`
		if params != "" {
			p += `,"operationParams":` + params
		}
		req("", "invoke", p+"}")
	}

	req("pipe", "create", `{"type":"MediaPipeline","constructorParams":{}}`)
	ctors := []struct{ typ, params string }{
		{"WebRtcEndpoint", `{"mediaPipeline":"${pipe}"}`},
		{"RtpEndpoint", `{"mediaPipeline":"${pipe}"}`},
		{"PlayerEndpoint", `{"mediaPipeline":"${pipe}","uri":"file:///tmp/gokurento-wire-missing.webm"}`},
		{"RecorderEndpoint", `{"mediaPipeline":"${pipe}","uri":"file:///tmp/gokurento-wire-rec.webm"}`},
		{"HttpPostEndpoint", `{"mediaPipeline":"${pipe}"}`},
		{"PassThrough", `{"mediaPipeline":"${pipe}"}`},
		{"Composite", `{"mediaPipeline":"${pipe}"}`},
		{"Dispatcher", `{"mediaPipeline":"${pipe}"}`},
		{"DispatcherOneToMany", `{"mediaPipeline":"${pipe}"}`},
		{"Mixer", `{"mediaPipeline":"${pipe}"}`},
		{"AlphaBlending", `{"mediaPipeline":"${pipe}"}`},
		{"HubPort", `{"hub":"${Composite}"}`},
		{"FaceOverlayFilter", `{"mediaPipeline":"${pipe}"}`},
		{"ImageOverlayFilter", `{"mediaPipeline":"${pipe}"}`},
		{"ZBarFilter", `{"mediaPipeline":"${pipe}"}`},
		{"GStreamerFilter", `{"mediaPipeline":"${pipe}","command":"capsfilter caps=video/x-raw"}`},
	}
	for _, c := range ctors {
		req(c.typ, "create", `{"type":"`+c.typ+`","constructorParams":`+c.params+`}`)
	}
	objs := append([]string{"MediaPipeline"}, func() []string {
		var out []string
		for _, c := range ctors {
			out = append(out, c.typ)
		}
		return out
	}()...)
	for _, typ := range objs {
		ref := "${" + typ + "}"
		if typ == "MediaPipeline" {
			ref = "${pipe}"
		}
		req("", "describe", `{"object":"`+ref+`"}`)
		for _, p := range props(typ) {
			if wireSkipProps[p] {
				continue
			}
			invoke(ref, "get"+strings.ToUpper(p[:1])+p[1:], "")
		}
	}
	// Complex values with optional fields, lists, errors of methods.
	invoke("${PassThrough}", "connect", `{"sink":"${PassThrough}","mediaType":"VIDEO"}`)
	invoke("${PassThrough}", "getSinkConnections", "")
	invoke("${PassThrough}", "getSourceConnections", `{"mediaType":"AUDIO"}`)
	invoke("${PassThrough}", "addTag", `{"key":"k","value":"v"}`)
	invoke("${PassThrough}", "getTags", "")
	invoke("${PassThrough}", "getTag", `{"key":"nope"}`)
	invoke("${PassThrough}", "isMediaFlowingIn", `{"mediaType":"VIDEO"}`)
	invoke("${PassThrough}", "isMediaFlowingOut", `{"mediaType":"AUDIO","sourceMediaDescription":"default"}`)
	invoke("${PassThrough}", "isMediaTranscoding", `{"mediaType":"VIDEO"}`)
	invoke("${PassThrough}", "getStats", "")
	invoke("${PassThrough}", "setOutputBitrate", `{"bitrate":1000}`)
	invoke("${PassThrough}", "disconnect", `{"sink":"${PassThrough}","mediaType":"VIDEO"}`)
	invoke("${PassThrough}", "disconnect", `{"sink":"${PassThrough}","mediaType":"VIDEO"}`)
	invoke("${WebRtcEndpoint}", "getStats", `{"mediaType":"VIDEO"}`)
	invoke("${WebRtcEndpoint}", "addIceCandidate", `{"candidate":{"candidate":"candidate:1 1 UDP 2122260223 127.0.0.1 54400 typ host","sdpMid":"0","sdpMLineIndex":0}}`)
	invoke("${WebRtcEndpoint}", "processAnswer", `{"answer":"v=0"}`)
	invoke("${WebRtcEndpoint}", "createDataChannel", `{"label":"x"}`)
	invoke("${WebRtcEndpoint}", "closeDataChannel", `{"channelId":1}`)
	invoke("${WebRtcEndpoint}", "setStunServerPort", `{"stunServerPort":-1}`)
	invoke("${WebRtcEndpoint}", "setMaxVideoSendBandwidth", `{"maxVideoSendBandwidth":1.5}`)
	invoke("${WebRtcEndpoint}", "setMaxVideoSendBandwidth", `{"maxVideoSendBandwidth":true}`)
	invoke("${WebRtcEndpoint}", "setName", `{"name":7}`)
	invoke("${WebRtcEndpoint}", "setName", `{"name":"a","extra":1}`)
	invoke("${RecorderEndpoint}", "stopAndWait", "")
	invoke("${RecorderEndpoint}", "getState", "")
	invoke("${PlayerEndpoint}", "getVideoInfo", "")
	invoke("${PlayerEndpoint}", "getPosition", "")
	invoke("${PlayerEndpoint}", "setPosition", `{"position":1000}`)
	invoke("${Composite}", "getGstreamerDot", `{"details":"NOPE"}`)
	invoke("${DispatcherOneToMany}", "removeSource", "")
	invoke("${AlphaBlending}", "setMaster", `{"source":"${HubPort}","zOrder":1}`)
	invoke("${ImageOverlayFilter}", "removeImage", `{"id":"nope"}`)
	invoke("${FaceOverlayFilter}", "unsetOverlayedImage", "")
	invoke("${GStreamerFilter}", "getCommand", "")
	invoke("manager_ServerManager", "getKmd", `{"moduleName":"elements"}`)
	invoke("manager_ServerManager", "getUsedCpu", `{"interval":-1}`)
	invoke("manager_ServerManager", "release", "")
	req("", "describe", `{"object":"manager_ServerManager"}`)
	req("", "subscribe", `{"object":"manager_ServerManager","type":"ElementConnected"}`)
	req("", "subscribe", `{"object":"${PassThrough}","type":"ObjectCreated"}`)
	req("", "subscribe", `{"object":"${PassThrough}"}`)
	req("", "ref", `{}`)
	req("", "unref", `{"object":"nope"}`)
	req("", "keepAlive", "")
	req("", "create", `{"type":"HubPort","constructorParams":{"hub":"${PassThrough}"}}`)
	req("", "create", `{"type":"WebRtcEndpoint","constructorParams":{"mediaPipeline":"${PassThrough}"}}`)
	req("", "create", `{"type":"PlayerEndpoint","constructorParams":{"mediaPipeline":"${pipe}"}}`)
	req("", "create", `{"type":"MediaPipeline","constructorParams":{},"properties":{"name":"x"}}`)
	// SDES master keys: 30 bytes for AES_128, 46 for AES_256, checked only
	// with a suite; key before keyBase64.
	const k30, k46 = "012345678901234567890123456789", "0123456789012345678901234567890123456789012345"
	b30 := base64.StdEncoding.EncodeToString([]byte(k30))
	for _, sdes := range []string{
		`{"key":"` + k30 + `","crypto":"AES_128_CM_HMAC_SHA1_80"}`,
		`{"key":"short","crypto":"AES_128_CM_HMAC_SHA1_80"}`,
		`{"key":"` + k30 + `","crypto":"AES_256_CM_HMAC_SHA1_80"}`,
		`{"key":"` + k46 + `","crypto":"AES_256_CM_HMAC_SHA1_32"}`,
		`{"keyBase64":"` + b30 + `","crypto":"AES_128_CM_HMAC_SHA1_80"}`,
		`{"keyBase64":"c2hvcnQ=","crypto":"AES_128_CM_HMAC_SHA1_80"}`,
		`{"key":"short","keyBase64":"` + b30 + `","crypto":"AES_128_CM_HMAC_SHA1_80"}`,
		`{"key":"short"}`,
		`{}`,
	} {
		req("", "create", `{"type":"RtpEndpoint","constructorParams":{"mediaPipeline":"${pipe}","crypto":`+sdes+`}}`)
	}
	// Errors whose wording the older real-server frames did not show.
	invoke("newref:0", "getName", "")
	invoke("${PassThrough}", "isMediaFlowingIn", `{"mediaType":"DATA"}`)
	invoke("${PassThrough}", "isMediaTranscoding", `{"mediaType":"DATA"}`)
	invoke("${DispatcherOneToMany}", "setSource", `{"source":"${HubPort}"}`)
	req("offerer", "create", `{"type":"WebRtcEndpoint","constructorParams":{"mediaPipeline":"${pipe}"}}`)
	invoke("${offerer}", "getRemoteSessionDescriptor", "")
	invoke("${offerer}", "generateOffer", "")
	invoke("${offerer}", "getRemoteSessionDescriptor", "")
	invoke("${offerer}", "processAnswer", `{"answer":"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"}`)
	invoke("${offerer}", "processAnswer", `{"answer":"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"}`)
	// A setter KMS accepts without effect.
	invoke("${WebRtcEndpoint}", "setMinVideoRecvBandwidth", `{"minVideoRecvBandwidth":300}`)
	invoke("${WebRtcEndpoint}", "getMinVideoRecvBandwidth", "")
	req("", "create", `{"type":"WebRtcEndpoint","constructorParams":{"mediaPipeline":"${pipe}","certificateKeyType":"NOPE"}}`)
	// Transactions.
	req("", "transaction", `{"operations":[{"jsonrpc":"2.0","id":0,"method":"invoke","params":{"object":"${pipe}","operation":"getName"}},{"id":1,"method":"ping"}]}`)
	req("", "transaction", `{"operations":[5]}`)
	req("", "transaction", `{"operations":[]}`)
	req("", "transaction", `{"operations":{}}`)
	req("", "transaction", `{}`)
	// Batches, notifications, odd envelopes: on an unbound socket (W2)
	// they get -32600; on a bound one (W3, W4, ...) KMS drops the socket.
	for _, f := range []struct{ note, frame string }{
		{"batch of two", `[{"jsonrpc":"2.0","id":"b1","method":"ping"},{"jsonrpc":"2.0","id":"b2","method":"ping"}]`},
		{"batch of one notification", `[{"jsonrpc":"2.0","method":"ping"}]`},
		{"empty batch", `[]`},
		{"number", `5`},
		{"null", `null`},
		{"params array", `{"jsonrpc":"2.0","id":"pa","method":"ping","params":[]}`},
		{"params string", `{"jsonrpc":"2.0","id":"ps","method":"describe","params":"x"}`},
		{"params null", `{"jsonrpc":"2.0","id":"pn","method":"ping","params":null}`},
	} {
		raw("W2", f.note+", unbound", f.frame)
	}
	for i, f := range []string{`[{"jsonrpc":"2.0","id":"b1","method":"ping"}]`, `"x"`, `{"jsonrpc":"2.0","id":"pa","method":"ping","params":[]}`} {
		sock := "W" + strconv.Itoa(3+i)
		steps = append(steps, wireStep{sock: sock, frame: `{"jsonrpc":"2.0","id":"bind","method":"describe","params":{"object":"${pipe}"}}`})
		steps = append(steps, wireStep{sock: sock, frame: f, note: "bound socket", drops: true})
	}
	raw("W1", "string id", `{"jsonrpc":"2.0","id":"s-1","method":"ping"}`)
	raw("W1", "float id", `{"jsonrpc":"2.0","id":1.5,"method":"ping"}`)
	raw("W1", "negative id", `{"jsonrpc":"2.0","id":-3,"method":"ping"}`)
	raw("W1", "bool id", `{"jsonrpc":"2.0","id":true,"method":"ping"}`)
	raw("W1", "notification with error", `{"jsonrpc":"2.0","method":"invoke","params":{"object":"nope","operation":"getName"}}`)
	req("", "release", `{"object":"${pipe}"}`)
	return steps
}

// recordReal plays steps against url and returns the exchange as lines of
// the testdata frame format.
func recordReal(t *testing.T, url string, steps []wireStep) []string {
	t.Helper()
	start := time.Now()
	stamp := func() string { return fmt.Sprintf("%.3f", time.Since(start).Seconds()) }
	var lines []string
	socks := map[string]*websocket.Conn{}
	vars := map[string]string{}
	varRE := regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)
	for _, st := range steps {
		ws := socks[st.sock]
		if ws == nil {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			var err error
			ws, err = dialWS(ctx, url, nil)
			cancel()
			require.NoError(t, err)
			ws.SetReadLimit(-1)
			t.Cleanup(func() { _ = ws.CloseNow() })
			socks[st.sock] = ws
			lines = append(lines, stamp()+" "+st.sock+" -- OPEN")
		}
		frame := varRE.ReplaceAllStringFunc(st.frame, func(s string) string {
			v, ok := vars[varRE.FindStringSubmatch(s)[1]]
			require.True(t, ok, "no value for %s", s)
			return v
		})
		if st.note != "" {
			lines = append(lines, "# "+st.note)
		}
		lines = append(lines, stamp()+" "+st.sock+" >> "+frame)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		require.NoError(t, ws.Write(ctx, websocket.MessageText, []byte(frame)))
		if st.drops {
			_, b, err := ws.Read(ctx)
			cancel()
			require.Error(t, err, "the socket stays, got %s", b)
			lines = append(lines, stamp()+" "+st.sock+" -- DROPPED")
			delete(socks, st.sock)
			continue
		}
		// A request with an id gets one reply. Other frames (batches,
		// notifications) may get none or several: a ping after them
		// proves what came.
		probe := ""
		if !strings.Contains(frame, `"id":`) || strings.HasPrefix(frame, "[") {
			probe = `"id":"probe-` + strconv.Itoa(len(lines)) + `"`
			f := `{"jsonrpc":"2.0",` + probe + `,"method":"ping"}`
			require.NoError(t, ws.Write(ctx, websocket.MessageText, []byte(f)))
			lines = append(lines, stamp()+" "+st.sock+" >> "+f)
		}
		for {
			_, b, err := ws.Read(ctx)
			require.NoError(t, err, "waiting for the reply to %s; the exchange so far ends with\n%s", frame, strings.Join(lines[max(0, len(lines)-6):], "\n"))
			f := string(b)
			if strings.Contains(f, `"method":"onEvent"`) {
				continue // events are the behaviour suite's business
			}
			lines = append(lines, stamp()+" "+st.sock+" << "+f)
			if probe != "" {
				if strings.Contains(f, probe) {
					break
				}
				continue
			}
			if st.name != "" {
				var r struct {
					Result struct {
						Value string `json:"value"`
					} `json:"result"`
				}
				require.NoError(t, json.Unmarshal(b, &r))
				vars[st.name] = r.Result.Value
			}
			break
		}
		cancel()
	}
	for name, ws := range socks {
		_ = ws.CloseNow()
		lines = append(lines, stamp()+" "+name+" -- CLOSE")
	}
	return lines
}

func TestWireDifferential(t *testing.T) {
	u := os.Getenv("KURENTO_URL")
	if u == "" {
		t.Skip(noKMS)
	}
	lines := recordReal(t, u, wireScript(t))
	text := strings.Join(lines, "\n") + "\n"
	if os.Getenv("KURENTO_RECORD_WIRE") == "1" {
		header := "# Recorded by TestWireDifferential (kurentotest, build tag integration) against KMS 7.3.1-dev.\n"
		require.NoError(t, os.WriteFile(filepath.Join("testdata", "k_wire.frames.txt"), []byte(header+text), 0o644))
	}
	f := filepath.Join(t.TempDir(), "k_wire.frames.txt")
	require.NoError(t, os.WriteFile(f, []byte(text), 0o644))
	replayWith(t, f, true) // every difference, not only the first
	require.False(t, slices.Contains(lines, ""), "no empty line")
}
