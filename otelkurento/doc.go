// Package otelkurento reports a Kurento client's activity to OpenTelemetry:
// a span per request and metrics on calls, connections, sessions and
// events. It is a module of its own, so that users of the SDK who do not
// want OpenTelemetry do not inherit its dependencies.
//
//	t, err := otelkurento.New() // the global providers, or WithTracerProvider/WithMeterProvider
//	c, err := client.Dial(ctx, url, client.WithTracer(t))
//
// # Spans
//
// Each request (create, invoke, subscribe, release, transaction, ...) is a
// client span named "kurento/<method>", or "kurento/invoke/<operation>"
// for invokes, child of the span in the call's context. It carries the RPC
// semantic-convention attributes (rpc.system.name "jsonrpc", rpc.method,
// jsonrpc.protocol.version "2.0", and for a server error reply
// rpc.response.status_code and error.type) and Kurento's own:
// kurento.object.id, kurento.object.class, kurento.operation,
// kurento.event.type (subscribe), kurento.transaction.operations and
// kurento.resent. A failed call sets the span status to Error.
//
// Span events: "kurento.resend" when the request is sent again after a
// resumed session; "kurento.connection.lost" and "kurento.session.resumed"
// (or "kurento.session.lost") on every span in flight when the connection
// drops and comes back.
//
// # Metrics
//
//	rpc.client.call.duration          histogram, s   per call; rpc.method, kurento.operation, kurento.outcome
//	kurento.client.calls              counter        per call; rpc.method, kurento.outcome, rpc.response.status_code
//	kurento.client.resends            counter        requests sent again after a resume
//	kurento.client.state_changes      counter        kurento.state, kurento.reason (reconnects are state "reconnecting")
//	kurento.client.reconnects         counter        connection losses that started a reconnect; kurento.reason
//	kurento.client.sessions_lost      counter        sessions found gone after a reconnect
//	kurento.client.events             counter        kurento.event.type, kurento.outcome (delivered or dropped)
//	kurento.client.event_queue_depth  histogram      events still queued when one is delivered
//
// kurento.outcome of a call is "ok", "server_error" (KMS answered with an
// error; the code is in rpc.response.status_code) or "local_error" (no
// answer: timeout, cancellation, connection or session lost).
//
// # Concurrency
//
// A Tracer is safe for concurrent use and may serve several clients; the
// connection span events then go to the spans in flight of all of them, so
// give each client its own Tracer (with [WithAttributes] naming its server)
// when that matters.
package otelkurento
