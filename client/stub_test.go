package client_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/coder/websocket"
)

// stubKMS is a scripted KMS for cases the fake cannot stage, such as events
// written right behind the reply to subscribe, before the client could do
// anything else. It answers connect, describe and subscribe; afterSubscribe
// returns the frames written immediately after the subscribe reply.
type stubKMS struct {
	afterSubscribe func(object, typ string) [][]byte
}

func (s *stubKMS) start(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = ws.CloseNow() }()
		ctx := r.Context()
		for {
			_, b, err := ws.Read(ctx)
			if err != nil {
				return
			}
			var req struct {
				ID     uint64            `json:"id"`
				Method string            `json:"method"`
				Params map[string]string `json:"params"`
			}
			if json.Unmarshal(b, &req) != nil {
				return
			}
			var result string
			switch req.Method {
			case "connect": //nolint:usestdlibvars // the Kurento method, not HTTP CONNECT
				result = `{"serverId":"stub","sessionId":"s1"}`
			case "describe":
				result = `{"hierarchy":[],"qualifiedType":"kurento.ServerManager","sessionId":"s1","type":"ServerManager"}`
			case "subscribe":
				result = `{"sessionId":"s1","value":"sub-1"}`
			default:
				result = `{"sessionId":"s1"}`
			}
			frame := `{"id":` + strconv.FormatUint(req.ID, 10) + `,"jsonrpc":"2.0","result":` + result + `}`
			if ws.Write(ctx, websocket.MessageText, []byte(frame)) != nil {
				return
			}
			if req.Method == "subscribe" && s.afterSubscribe != nil {
				for _, f := range s.afterSubscribe(req.Params["object"], req.Params["type"]) {
					if ws.Write(ctx, websocket.MessageText, f) != nil {
						return
					}
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + srv.URL[len("http"):]
}

// onEventFrame is an onEvent notification laid out as KMS writes it.
func onEventFrame(object, typ string, data map[string]any) []byte {
	data["source"], data["type"], data["tags"], data["timestampMillis"] = object, typ, []any{}, "1795255943238"
	d, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	o, _ := json.Marshal(object)
	ty, _ := json.Marshal(typ)
	return []byte(`{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":` + string(d) +
		`,"object":` + string(o) + `,"type":` + string(ty) + `}}}`)
}
