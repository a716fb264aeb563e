// Package pipeline holds the handles of [MediaPipeline], the container every
// media element lives in, and of the server's [ServerManager].
//
// [NewMediaPipeline] takes a [client.Creator]: pass a *client.Client to
// create the pipeline at once, or a *client.Tx to create it, and the
// elements built on it, in one transaction. [ServerManagerOf] returns the
// ServerManager of a client without sending anything; its GetPipelines
// returns typed pipeline handles.
//
// Calls, errors, nil handles, transactions, event channels and lookups by
// id follow the rules the [github.com/gokurento/kurento/element] package
// documentation states for every handle.
//
// # Lifetime
//
// Releasing a pipeline releases every element in it on the server and ends
// their event subscriptions made through this client. Objects owned only by
// a session are freed when that session closes or is garbage-collected by
// the server. The ServerManager lives as long as the server.
package pipeline

//go:generate go run ../internal/cmd/kmdgen -pkg pipeline
