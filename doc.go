// Package kurento is the root of gokurento, a Go SDK for Kurento Media
// Server (KMS). It holds no code: this comment maps the SDK, and the examples
// of this package show it at work against the fake server in kurentotest.
//
// A Go backend uses the SDK to create media pipelines and elements on KMS,
// connect them, relay SDP and ICE candidates between browsers and KMS, react
// to media events, and keep going through network blips and KMS restarts
// without leaking server objects. Every call takes a [context.Context], events
// arrive on typed channels in order, and tests need no KMS at all.
//
// # Packages
//
// Imports point down this list:
//
//   - [github.com/gokurento/kurento/types]: the enums and complex types of the
//     Kurento API (ServerInfo, IceCandidate, MediaType...), generated.
//   - [github.com/gokurento/kurento/event]: one struct per server event
//     (IceCandidateFound, MediaFlowInStateChanged...), generated.
//   - [github.com/gokurento/kurento/rpc]: JSON-RPC 2.0 over one websocket:
//     keepalive, reconnect with backoff, resend of in-flight requests, the
//     connection states. It knows nothing of Kurento.
//   - [github.com/gokurento/kurento/client]: the Kurento session: Dial,
//     untyped create, invoke, subscribe, release and transactions, error
//     sentinels, state changes.
//   - [github.com/gokurento/kurento/element],
//     [github.com/gokurento/kurento/pipeline],
//     [github.com/gokurento/kurento/endpoint],
//     [github.com/gokurento/kurento/hub] and
//     [github.com/gokurento/kurento/filter]: typed handles of every class
//     (MediaPipeline, WebRtcEndpoint, Composite, FaceOverlayFilter...),
//     mostly generated.
//   - [github.com/gokurento/kurento/kurentotest]: an in-process fake KMS that
//     speaks the real protocol, for tests and examples.
//
// # Usage
//
//	c, err := client.Dial(ctx, "ws://127.0.0.1:8888/kurento")
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
//	if err != nil {
//		return err
//	}
//	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
//	if err != nil {
//		return err
//	}
//	// Subscribe before gathering; one stream keeps KMS's order, so
//	// IceGatheringDone comes after the last IceCandidateFound.
//	ice, err := ep.Events(ctx, "IceCandidateFound", "IceGatheringDone")
//	if err != nil {
//		return err
//	}
//	answer, err := ep.ProcessOffer(ctx, offer)
//	...
//	err = ep.GatherCandidates(ctx)
//
// The README in the repository root covers installation, the concepts
// (sessions, resume and session loss, events, transactions, errors), testing
// with kurentotest, and development; examples/quickstart is a runnable
// program.
//
// # Concurrency
//
// Clients and handles are safe for concurrent use; see the client package.
//
// # Errors
//
// Server refusals are matched with [errors.Is] against the sentinels of the
// client package (client.ErrObjectNotFound, client.ErrSDPParse...); local
// failures such as client.ErrSessionLost are distinct.
//
// # Lifetime
//
// Closing a client ends its KMS session, which frees the objects only that
// session owned; releasing a pipeline frees everything in it.
package kurento
