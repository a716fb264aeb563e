package kurento_test

import (
	"context"
	"log/slog"
	"os"
	"time"

	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"

	"github.com/gokurento/kurento/client"
)

// This example routes the SDK's logs to zap. The SDK takes a *slog.Logger
// and never imports zap: zapslog adapts a zap core in the application, in
// one line:
//
//	client.WithLogger(slog.New(zapslog.NewHandler(zapLogger.Core())))
func Example_zap() {
	srv := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// A console encoder without time or caller, and a core that drops the
	// per-run fields (session and server ids), keep the output stable; a
	// real service would pass zap.NewProduction().Core().
	enc := zapcore.NewConsoleEncoder(zapcore.EncoderConfig{
		LevelKey: "level", MessageKey: "msg",
		EncodeLevel: zapcore.CapitalLevelEncoder,
	})
	core := messagesOnly{zapcore.NewCore(enc, zapcore.AddSync(os.Stdout), zapcore.InfoLevel)}

	c, err := client.Dial(ctx, srv.URL(), client.WithLogger(slog.New(zapslog.NewHandler(core))))
	check(err)
	check(c.Close())
	check(srv.Close())
	// Output:
	// INFO	connected
	// INFO	closed
}

// messagesOnly is a zap core that writes entries without their fields.
type messagesOnly struct{ zapcore.Core }

func (m messagesOnly) With([]zapcore.Field) zapcore.Core { return m }

func (m messagesOnly) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if m.Enabled(e.Level) {
		return ce.AddCore(e, m)
	}
	return ce
}

func (m messagesOnly) Write(e zapcore.Entry, _ []zapcore.Field) error { return m.Core.Write(e, nil) }
