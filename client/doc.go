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
//     original id (KMS answers a repeat from its reply cache, so each runs
//     at most once). Events KMS emitted while no socket was bound are lost:
//     re-read the state you depend on when [Client.StateChanges] reports
//     rpc.ReasonResumed.
//   - INVALID_SESSION or another serverId: the session is lost (KMS
//     restarted or collected it). Pending calls fail with [ErrSessionLost],
//     event channels close, handles of the old session fail with
//     [ErrSessionLost] before reaching the wire, and a fresh session starts.
//
// [WithSessionID] adopts an existing session (a restarted application
// re-binds the session it left with [WithKeepSessionOnClose]).
//
// # Concurrency
//
// A [Client], its [Object]s and typed handles are safe for concurrent use.
// Events are delivered per subscription, in order, on the subscription's own
// goroutine that exists only while events are queued; the read loop only
// queues them.
//
// # Errors
//
// Server replies are *[Error], matched by code with errors.Is against the
// sentinels ([ErrObjectNotFound], [ErrInvalidSession], ...). Every
// operation wraps its failure in an *[OpError] naming the method and the
// object. Local failures are [ErrClosed], [ErrConnectionLost],
// [ErrSessionLost], [ErrSlowConsumer] and [ErrInvalidArgument] (refused
// before the wire). rpc.SafeToRetry tells whether a request never left the
// process.
//
// # Lifetime
//
// [Client.Close] sends closeSession (KMS frees the objects only this session
// owned), fails pending calls with [ErrClosed], closes every event channel
// and returns after the client's goroutines exited. Event channels also
// close when their ctx ends, when their object is released through this
// client, when the session is lost, or when their queue overflows
// ([ErrSlowConsumer], reported to [WithErrorHandler] and logged at Warn).
package client
