// Package filter holds the handles of the Kurento filters, media elements
// that process the media passing through them ([GStreamerFilter],
// [FaceOverlayFilter], [ImageOverlayFilter], [ZBarFilter], embedding
// [Filter] or [OpenCVFilter]), and of [PassThrough], which forwards media
// unchanged.
//
// Constructors take the pipeline as a *pipeline.MediaPipeline and the
// optional parameters as an options struct (nil for the server defaults).
//
// Calls, errors, nil handles, transactions, event channels and lookups by
// id follow the rules the [github.com/gokurento/kurento/element] package
// documentation states for every handle.
//
// # Lifetime
//
// A filter lives until it is released, or its pipeline is, or its session
// ends. Release closes the event channels of its subscriptions.
package filter

//go:generate go run ../internal/cmd/kmdgen -pkg filter
