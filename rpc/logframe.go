package rpc

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
)

// frameLog renders a frame for a Debug log record only when the record is
// actually written (slog.LogValuer), with the values that secret (the
// dialect's) picks replaced.
type frameLog struct {
	frame  []byte
	secret func(key, value string) bool
}

func (f frameLog) LogValue() slog.Value {
	if f.secret == nil {
		if !json.Valid(f.frame) {
			return slog.StringValue("<" + strconv.Itoa(len(f.frame)) + " bytes, not JSON>")
		}
		return slog.StringValue(string(f.frame))
	}
	var v any
	if err := json.Unmarshal(f.frame, &v); err != nil {
		return slog.StringValue("<" + strconv.Itoa(len(f.frame)) + " bytes, not JSON>")
	}
	b, err := json.Marshal(redact(v, "", f.secret))
	if err != nil {
		return slog.StringValue("<" + strconv.Itoa(len(f.frame)) + " bytes>")
	}
	return slog.StringValue(string(b))
}

// redact replaces, in a decoded frame, the string values secret picks;
// key is the member v is the value of (an array passes its own on).
func redact(v any, key string, secret func(key, value string) bool) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = redact(e, k, secret)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = redact(e, key, secret)
		}
		return t
	case string:
		if secret(key, t) {
			return "<redacted " + strconv.Itoa(len(t)) + " bytes>"
		}
		return t
	}
	return v
}

// debugFrame logs one frame at Debug, rendering it only if Debug is on.
func (c *Conn) debugFrame(dir string, frame []byte) {
	if c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug("frame", "dir", dir, "frame", frameLog{frame, c.cfg.Dialect.Secret})
	}
}
