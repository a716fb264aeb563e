// Package pipeline holds the handles of [MediaPipeline], the container every
// media element lives in, and of the server's [ServerManager].
//
// [NewMediaPipeline] takes a [client.Creator]: pass a *client.Client to
// create the pipeline at once, or a *client.Tx to create it, and the
// elements built on it, in one transaction. [ServerManagerOf] returns the
// ServerManager of a client without sending anything; its GetPipelines
// returns typed pipeline handles.
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
// Releasing a pipeline releases every element in it on the server and ends
// their event subscriptions made through this client. Objects owned only by
// a session are freed when that session closes or is garbage-collected by
// the server. The ServerManager lives as long as the server.
package pipeline

//go:generate go run ../internal/cmd/kmdgen -pkg pipeline
