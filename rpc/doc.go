// Package rpc multiplexes JSON-RPC 2.0 calls over one websocket at a time
// and keeps that connection alive. It is generic JSON-RPC: what it knows of
// a particular server comes from its [Config]. The client package layers
// the Kurento session on top through [Config.OnConnect] and
// [Config.OnNotification], and hands in through [Config.Dialect] how Kurento
// Media Server lays out its frames (so that replies and events are routed
// without a second decode) and which values stay out of the logs, and
// through [Config.ResendWindow] how long KMS caches its replies.
//
// Request ids come from one counter for the whole life of a [Conn] (never
// reset on reconnect, starting at a random point), so that a server that
// answers a repeated (session, id) from a reply cache, as KMS does for
// 20 s, never mistakes a new request for an old one.
//
// # Concurrency
//
// A [Conn] is safe for any number of concurrent callers. One reader
// goroutine per socket decodes frames and routes replies to their callers
// through buffered channels and notifications to OnNotification; it never
// blocks on a caller and never runs user code. Writes are serialised by a
// write slot that callers wait for within their own ctx; the frame itself is
// written under a connection-scoped deadline, because the websocket library
// closes the connection when a write's context ends mid-frame.
//
// # Errors
//
// A server error reply is an *[Error]. [ErrClosed] follows Close (or giving
// up reconnecting), [ErrConnectionLost] means a request was written but its
// outcome is unknown, [ErrFrameTooLarge] that a reply exceeded the read
// limit. [SafeToRetry] reports whether a failed call never left the
// process. Cancelling a call's ctx abandons the wait, never the connection:
// the error then matches context.Canceled or context.DeadlineExceeded.
//
// # Lifetime
//
// [Dial] returns a Ready connection. A keepalive request (default "ping"
// every 20 s, 10 s timeout) detects dead sockets; a failed socket is
// replaced with exponential backoff and jitter, and OnConnect decides
// whether the session resumed. Requests that were in flight on the dead
// socket are then resent with their original id while they are within the
// resend window (default 15 s, under a 20 s reply cache); older ones, or
// all of them when the session was lost, fail. Against a server that
// caches replies for 20 s, as KMS does, a request runs at most once unless
// one copy of it reaches the server more than 20 s after another copy ran
// (a network that holds the original back that long); against a server
// without a reply cache a resent request may run twice, so OnConnect should
// report the socket as not resumed, which fails those requests instead. While no
// socket is up, requests in flight fail with [ErrConnectionLost] as their
// windows close, not at their deadlines; a request on which three sockets
// in a row died with nothing read after it is failed instead of resent.
// The backoff grows across sockets that die young and starts over once one
// stays up for [StableSocket]. [Dial] is bounded by [Config.DialTimeout]
// when its ctx has none; Close by [DefaultCloseTimeout].
// Calls made while reconnecting wait for the next socket within their ctx.
// [Conn.State] and [Conn.StateChanges] expose the lifecycle. [Conn.Close] is
// idempotent and returns after every goroutine of the connection exited.
package rpc
