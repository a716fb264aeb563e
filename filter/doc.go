// Package filter holds the handles of the Kurento filters, media elements
// that process the media passing through them ([GStreamerFilter],
// [FaceOverlayFilter], [ImageOverlayFilter], [ZBarFilter], embedding
// [Filter] or [OpenCVFilter]), and of [PassThrough], which forwards media
// unchanged.
//
// Constructors take the pipeline as a *pipeline.MediaPipeline and the
// optional parameters as an options struct (nil for the server defaults).
//
// # Concurrency
//
// A handle only holds an object reference, so handles are safe for
// concurrent use; every method is one request to the server. Event channels
// deliver in order, each through its own queue.
//
// # Errors
//
// Arguments are checked before anything is sent: a nil handle, a handle of
// another client or an enum value the SDK does not know fails with an error
// matching [client.ErrInvalidArgument] (and [types.ErrInvalidEnum] for
// enums). Server refusals are *[client.OpError] wrapping a *[client.Error];
// match them with errors.Is against the client sentinels.
//
// A nil handle as the receiver fails the same way, for every method: a
// method reached through an embedded parent handle would dereference the
// nil pointer before any check, so each handle redeclares every inherited
// method, calling the parent's with a nil parent handle. That is also why a
// handle's documentation lists all its methods; Object and ID of a nil
// handle give nil and "" and send nothing.
//
// # Lifetime
//
// A filter lives until it is released, or its pipeline is, or its session
// ends. Release closes the event channels of its subscriptions.
package filter

//go:generate go run ../internal/cmd/kmdgen -pkg filter
