// Package kms is the one definition of the Kurento Media Server protocol
// used by this module: the JSON-RPC method names KMS serves, the members
// of their params and results, the error-code table, the naming rule of
// property accessors, the "newref:" references of transactions, the
// onEvent notification and the facts of KMS's wire behaviour that the
// transport layer is tuned for (key order of its frames, its reply cache).
//
// The client package, the handle generator and the kurentotest fake are
// built on it, so none of them spells a Kurento wire fact of its own. The
// package is a leaf: it imports only the standard library, never rpc or
// client, so that every layer can use it.
//
// The protocol itself is described in PROTOCOL.md of the project's protocol
// notes; this package states the parts the code depends on.
package kms
