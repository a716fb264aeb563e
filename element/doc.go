// Package element holds the lowest typed handles of the Kurento API:
// [MediaObject], the root every handle embeds, and [MediaElement], the base
// of everything that sends or receives media. It also holds the small
// interfaces other packages accept for remote references:
// [MediaObjectHandle] and [MediaElementHandle] (with the aliases [Source] and
// [Sink]) are implemented by every handle that embeds the class.
//
// This documentation states, once, the rules every generated handle
// follows, in this package and in pipeline, endpoint, hub, filter and the
// packages cmd/kurento-gen writes for custom modules. The doc comment of
// each method only says what the method does.
//
// # Handles and methods
//
// Handles are generated from the project's IDL facts by kmdgen. IDL method
// m becomes M(ctx, ...), property p becomes GetP(ctx) and, when writable,
// SetP(ctx, v), and event E becomes OnE(ctx) (E itself when its name
// already starts with "On", such as OnKeySoftLimit), which returns a
// channel of event.E. Required parameters are positional; optional ones
// are fields of an options struct passed last, where nil or an unset field
// leaves the choice to the server. Parameter names follow Go spelling
// (channelID), types and methods keep Kurento's (GetId, SetTurnUrl).
//
// A handle embeds the handle of its parent class, and redeclares every
// method it inherits: its documentation lists them all, and the type doc
// groups the inherited ones by the class that declares them.
//
// # Calls
//
// A handle only holds an object reference, so handles are safe for
// concurrent use; every method is one request to the server, and ctx
// bounds the wait for its reply. Arguments are checked before anything is
// sent: a nil handle, a handle of another client, an empty session
// description or an enum value the SDK does not know fails with an error
// matching [client.ErrInvalidArgument] (and [types.ErrInvalidEnum] for
// enums). Server refusals are *[client.OpError] wrapping a *[client.Error];
// match them with errors.Is against the client sentinels.
//
// A nil handle as the receiver fails the same way, for every method, rather
// than panicking; Object and ID of a nil handle give nil and "" and send
// nothing.
//
// # Transactions
//
// A constructor given a [client.Tx], or a parent that is pending in one,
// creates its object in that transaction: the handle is pending until the
// transaction commits and its ID is "newref:N" meanwhile. On a pending
// object, a method without a result is queued in the transaction; a method
// returning a value fails with [client.ErrPending] and queues nothing,
// since the value would only exist at commit ([client.Tx.Invoke] with a
// result gets it then); subscriptions fail.
//
// # Events
//
// OnE(ctx) sends one subscribe request and returns once the server has
// acknowledged it, so events caused by later calls are not missed. Events
// of one type arrive in the order the server sent them; channels of
// different types are independent and may run ahead of one another. A
// handle's Events(ctx, types...) returns one stream that keeps the
// server's order across types. A channel closes when ctx ends, when the
// object is released through this client, when the session is lost, when
// the client closes, or when its reader falls behind by the event buffer
// ([client.WithEventBuffer]); [client.SubscribeWith] also tells which.
//
// # Finding objects by id
//
// Results that reference a class come back as the handle of their
// declared class (a MediaElement, a MediaObject). Lookup<Class>(ctx, c, id),
// such as [LookupMediaElement] or endpoint.LookupWebRtcEndpoint, asks the
// server for the class of id and returns the typed handle when the object
// is of that class or a subclass, else an error matching
// [client.ErrWrongClass]; [client.LookupAs] is its generic form.
// <Class>FromObject wraps a reference without asking. Each handle package's Module function describes its classes;
// give it to [client.WithModule] for [client.Client.Lookup] and
// [client.Client.HandleOf] to return typed handles. There is no
// process-wide registry.
//
// # Lifetime
//
// A handle is valid as long as its object lives on the server: until
// Release (of the object or of its pipeline), until the session is lost
// or until the client closes. Release closes the event channels of the
// object's subscriptions; releasing twice succeeds.
package element

//go:generate go run ../internal/cmd/kmdgen -pkg element
