// Package client is the Kurento session: it dials KMS, fixes the session id
// before any user request, and offers untyped create, invoke, describe,
// subscribe, release and transaction operations. The typed handles of the
// element, pipeline, endpoint, hub and filter packages are built on it.
//
//	c, err := client.Dial(ctx, "ws://127.0.0.1:8888/kurento", client.WithLogger(log))
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//
// # Sessions, resume and session loss
//
// [Dial] sends connect and then describes the ServerManager, which makes KMS
// register the session; every later request carries its id. When the socket
// drops, the client reconnects and sends connect with the same session id:
//   - same session on the same server: resumed. Handles and subscriptions
//     stay valid; requests that were in flight are resent with their
//     original id while within the resend window ([WithResendWindow], 15 s
//     after first written). Events KMS emitted while no socket was bound
//     are lost: re-read the state you depend on when [Client.StateChanges]
//     reports rpc.ReasonResumed.
//   - INVALID_SESSION or another serverId: the session is lost (KMS
//     restarted or collected it). Pending calls fail with [ErrSessionLost],
//     event channels close, handles of the old session fail with
//     [ErrSessionLost] before reaching the wire, and a fresh session starts.
//
// # At most once
//
// KMS runs a repeated (session, request id) once while its reply is
// cached, 20 s after executing it, and the client resends only within the
// resend window, so a request runs at most once unless one copy of it
// reaches KMS more than 20 s after another copy ran: possible only when the
// network holds the original back that long and then delivers it. A
// request that cannot be resent fails with [ErrConnectionLost] (it ran
// once or not at all): when its window closes while no socket is up, or
// once three sockets in a row died with nothing read after it was written
// on them.
//
// [WithSessionID] adopts an existing session (a restarted application
// re-binds the session it left with [WithKeepSessionOnClose]).
//
// # Concurrency
//
// A [Client], its [Object]s and typed handles are safe for concurrent use.
// Each event is decoded once, on arrival, and delivered per subscription,
// in the order KMS sent it, on the subscription's own goroutine that exists
// only while events are queued; the read loop only queues them and never
// waits for a reader. A subscription to one event type keeps that type's
// order; [SubscribeEvents] (the handles' Events methods) keeps the order
// across several types of one object. Separate subscriptions never wait for
// each other. See [Subscription] for when and why a channel closes.
//
// # Errors
//
// Server replies are *[Error], matched by code with errors.Is against the
// sentinels ([ErrObjectNotFound], [ErrInvalidSession], ...); an *[Error]
// is only ever built from a reply. [CodeOf] returns the [Code] of the reply
// inside any error, whose String is the type name KMS gives it. The codes
// and sentinels are generated from the protocol's code table. Every
// operation wraps its failure in an *[OpError] naming the JSON-RPC method,
// the Kurento operation, the class and the object, and each layer adds its
// context once. Local failures are [ErrClosed], [ErrConnectionLost],
// [ErrSessionLost], [ErrSlowConsumer], [ErrPending] and
// [ErrInvalidArgument] (refused before the wire). [IsLocal] is true when no
// server answer was involved (an unusable reply is an answer); [SafeToRetry]
// when the request never left the process. A call whose ctx already ended
// never reaches the wire.
//
// # Observability
//
// [WithTracer] installs a [Tracer] that sees every request, resend,
// connection state change, session loss and event delivery or drop (the
// otelkurento module adapts it to OpenTelemetry). Without one the client
// does no tracing work.
//
// # Lifetime
//
// [Dial] is bounded by [WithDialTimeout] when its ctx has no deadline.
// [Client.Close] sends closeSession (KMS frees the objects only this session
// owned), fails pending calls with [ErrClosed], closes every event channel
// and returns after the client's goroutines exited, within about
// rpc.DefaultCloseTimeout whatever the server does ([Client.CloseContext]
// takes the caller's bound). Event channels also
// close when their ctx ends, when their object is released through this
// client ([ErrReleased]), when the session is lost, or when their queue
// overflows ([ErrSlowConsumer], after what was queued is delivered;
// reported to [WithErrorHandler] and logged at Warn, or printed on standard
// error when neither a handler nor a logger was given).
package client
