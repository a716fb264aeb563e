package rpc

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
)

// frameLog renders a frame for a Debug log record only when the record is
// actually written (slog.LogValuer), with session descriptions and secrets
// replaced: SDP bodies describe a peer's network, and TURN URLs carry
// credentials.
type frameLog []byte

// redactedKeys are object members whose values are never logged.
var redactedKeys = map[string]bool{
	"offer": true, "answer": true, "sdp": true, "turnUrl": true,
	"password": true, "secret": true, "token": true, "authorization": true,
	"key": true, // SDES crypto keys
}

func (f frameLog) LogValue() slog.Value {
	var v any
	if err := json.Unmarshal(f, &v); err != nil {
		return slog.StringValue("<" + strconv.Itoa(len(f)) + " bytes, not JSON>")
	}
	b, err := json.Marshal(redact(v, ""))
	if err != nil {
		return slog.StringValue("<" + strconv.Itoa(len(f)) + " bytes>")
	}
	return slog.StringValue(string(b))
}

func redact(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = redact(e, k)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = redact(e, key)
		}
		return t
	case string:
		if redactedKeys[strings.ToLower(key)] || redactedKeys[key] || strings.HasPrefix(t, "v=0") {
			return "<redacted " + strconv.Itoa(len(t)) + " bytes>"
		}
		return t
	}
	return v
}

// debugFrame logs one frame at Debug, rendering it only if Debug is on.
func (c *Conn) debugFrame(dir string, frame []byte) {
	if c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug("frame", "dir", dir, "frame", frameLog(frame))
	}
}
