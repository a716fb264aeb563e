// Package endpoint holds the handles of the Kurento endpoints: the media
// elements through which media enters or leaves a pipeline
// ([WebRtcEndpoint], [RtpEndpoint], [PlayerEndpoint], [RecorderEndpoint],
// [HttpPostEndpoint]) and their abstract bases ([Endpoint],
// [SessionEndpoint], [SdpEndpoint], [BaseRtpEndpoint], [UriEndpoint],
// [HttpEndpoint]), which the concrete handles embed.
//
// Constructors take the pipeline as a *pipeline.MediaPipeline and the
// optional constructor parameters as an options struct (nil for the server
// defaults): endpoint.NewWebRtcEndpoint(ctx, p, nil). When the pipeline is
// pending in a client.Tx, the endpoint is created in the same transaction.
//
// Calls, errors, nil handles, transactions, event channels and lookups by
// id follow the rules the [github.com/gokurento/kurento/element] package
// documentation states for every handle.
//
// # Lifetime
//
// An endpoint lives until it is released, or its pipeline is, or its
// session ends. Release closes the event channels of its subscriptions.
package endpoint

//go:generate go run ../internal/cmd/kmdgen -pkg endpoint
