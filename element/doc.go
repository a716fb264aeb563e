// Package element holds the lowest typed handles of the Kurento API:
// [MediaObject], the root every handle embeds, and [MediaElement], the base
// of everything that sends or receives media. It also holds the small
// interfaces other packages accept for remote references:
// [MediaObjectHandle] and [MediaElementHandle] (with the aliases [Source] and
// [Sink]) are implemented by every handle that embeds the class.
//
// Handles are generated from the project's IDL facts by kmdgen. IDL method
// m becomes M(ctx, ...), property p becomes GetP(ctx) and, when writable,
// SetP(ctx, v), and event E becomes OnE(ctx), which returns a channel of
// event.E. Results that reference an abstract class (a MediaElement, a
// MediaObject) come back as the handle of that static type; use
// [client.Client.Lookup] for the concrete class.
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
// A handle is valid as long as its object lives on the server: until
// Release (of the object or of its pipeline), until the session is lost
// or until the client closes. Handles of objects created in a
// [client.Tx] are pending until the transaction commits; their calls are
// queued in the transaction meanwhile.
package element

//go:generate go run ../internal/cmd/kmdgen -pkg element
