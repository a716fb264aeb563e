package rpc

import "context"

type resendHookKey struct{}

// WithResendHook returns a context carrying f, which [Conn.Call] made with
// it runs each time it is about to send the request again, with the same
// id, on the socket of a resumed session. f runs on the connection's
// reconnecting goroutine (never the read loop) and must not block.
//
// Call looks for the hook only on a connection whose Config.ResendHooks is
// set, so connections without hooks pay nothing for them.
func WithResendHook(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, resendHookKey{}, f)
}

func resendHook(ctx context.Context) func() {
	f, _ := ctx.Value(resendHookKey{}).(func())
	return f
}
