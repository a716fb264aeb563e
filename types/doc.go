// Package types holds the enums and structs ("complex types") of the
// Kurento IDL, generated from the project's IDL facts, with their wire
// encoding.
//
// Enums are typed strings with one constant per value
// ([MediaTypeAudio] is "AUDIO"). Structs encode as JSON objects carrying
// "__module__" and "__type__" next to their fields, inherited fields
// included, as Kurento Media Server expects; decoding accepts objects with
// or without those tags. Optional fields are omitted when unset: optional
// numbers, booleans and structs are pointers (see [Ptr]), optional strings
// and enums are unset when empty. IDL int is int32, int64 is int64 (decoded
// exactly), float is float32 and double is float64. A reference to a
// remote object inside a struct is that object's id string; the handle
// packages turn ids into handles.
//
// # Errors
//
// Encoding an enum value this SDK does not know fails with an
// [*InvalidEnumError] (matching [ErrInvalidEnum]), so that a typo never
// reaches the server. Decoding accepts any string for an enum, because a
// newer server may add values; [MediaType.Valid] and friends tell them apart.
//
// # Concurrency
//
// Values of this package are plain data: safe to share once built, not to
// mutate concurrently.
package types

//go:generate go run ../internal/cmd/kmdgen -pkg types
