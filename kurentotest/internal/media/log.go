package media

import (
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// pionLogs sends pion's logs to the engine's logger at Debug (its errors
// at Warn): they are about the fake's own sockets.
type pionLogs struct{ log *slog.Logger }

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{f.log.With("scope", scope)}
}

type pionLogger struct{ log *slog.Logger }

func (l pionLogger) Trace(string)              {}
func (l pionLogger) Tracef(string, ...any)     {}
func (l pionLogger) Debug(msg string)          { l.log.Debug("pion", "msg", msg) }
func (l pionLogger) Debugf(f string, a ...any) { l.Debug(fmt.Sprintf(f, a...)) }
func (l pionLogger) Info(msg string)           { l.log.Debug("pion", "msg", msg) }
func (l pionLogger) Infof(f string, a ...any)  { l.Info(fmt.Sprintf(f, a...)) }
func (l pionLogger) Warn(msg string)           { l.log.Debug("pion", "msg", msg) }
func (l pionLogger) Warnf(f string, a ...any)  { l.Warn(fmt.Sprintf(f, a...)) }
func (l pionLogger) Error(msg string)          { l.log.Warn("pion", "msg", msg) }
func (l pionLogger) Errorf(f string, a ...any) { l.Error(fmt.Sprintf(f, a...)) }
