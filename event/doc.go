// Package event holds one struct per Kurento IDL event, generated from the
// project's IDL facts, plus the raw form in which events arrive.
//
// Kurento Media Server sends an event as an onEvent notification whose
// params.value is {"type", "object", "data"}; [Raw] is that value. Each
// event struct embeds [Base] (source, timestamp, tags and the Raw it came
// from) and has one field per data field of the event, inherited ones
// included. Decode a Raw with the event's own decoder
// ([DecodeIceCandidateFound]) or with [Decode], which picks the decoder
// from Raw.Type. [Names] lists every event name and [Known] tells whether
// this package has a struct for one.
//
// # Errors
//
// Decoders never panic. They fail on malformed JSON, on a timestamp that
// is not a number of milliseconds, and when Raw.Type names another event;
// [Decode] fails with [ErrUnknownEvent] for a type it does not know. Enum
// fields accept any string, see package types.
//
// # Concurrency
//
// Events are plain data: safe to share once decoded.
package event

//go:generate go run ../internal/cmd/kmdgen -pkg event
