// Package kurentotest is an in-process fake Kurento Media Server (KMS 7.3)
// that is faithful on the wire: a client cannot tell it from a real KMS at
// the protocol level, except where listed below. It is the test server of
// this SDK and works with any KMS client, including the official ones.
//
// # Use
//
//	srv := kurentotest.NewServer(t)          // closed by t.Cleanup
//	c, err := client.Dial(ctx, srv.URL())   // ws://127.0.0.1:PORT/kurento
//
// [Server.HTTPClient] returns an *http.Client whose connections reach the
// server through an in-memory pipe, whatever host the URL names. Inside a
// testing/synctest bubble, create the server inside the bubble and dial
// through that client: the fake then needs no real socket (it detects the
// bubble and does not open its TCP listener, see [WithInMemoryOnly]), so
// the bubble's fake clock drives keepalives, timeouts, the reply cache and
// the session garbage collector.
//
// Programs without a *testing.T use [Start] and [Server.Close].
//
// # What it does
//
// Everything of the control protocol (kurento-protocol/PROTOCOL.md §1–§9,
// checked against frames of a real KMS 7.3): the /kurento path check
// (other paths are closed with 1002 "Invalid path"), a 32,000,000-byte read
// limit, compact output with sorted object keys like KMS's jsoncpp writer,
// silence on unparsable frames, -32600 for non-objects and malformed
// envelopes, the reply to notifications, session id insertion from the
// socket binding, re-binding after every successful reply carrying a
// sessionId, session registration on object lookup or creation, connect
// (40007 for unknown sessions), ping, create, invoke, describe, subscribe
// (one handler per session, object and event type), unsubscribe, release
// (cascading, with ElementDisconnected and ObjectCreated/ObjectDestroyed),
// transaction (newref substitution, stop at the first error, no rollback),
// keepAlive, ref, unref, closeSession, the 20 s reply cache keyed by
// (session, request id) including error replies, KMS object ids, and
// session garbage collection. Class knowledge (constructors, properties,
// methods, events, structs and enums, with parameter checks and the
// MARSHALL_ERROR messages of KMS) comes from the IDL facts of the SDK.
//
// Tests can look at the state ([Server.Objects], [Server.Sessions],
// [Server.Subscriptions], [Server.Calls]), wait for a call to arrive
// without polling ([Server.WaitCall]), emit any event ([Server.Emit]),
// change the answer of the next or every call of a method ([Server.React]:
// delay, fail with a chosen code, swallow with or without executing), drop
// every socket ([Server.DropConnections]), simulate a KMS restart
// ([Server.Restart]) and write raw frames ([Server.Inject]).
//
// # Differences from a real KMS
//
//   - No media: nothing flows, so no MediaFlowIn/Out, MediaState,
//     ConnectionState, Recording or EndOfStream events happen by themselves;
//     use [Server.Emit]. isMediaFlowingIn/Out and isMediaTranscoding answer
//     false, getStats an empty map.
//   - SDP and ICE are minimal: processOffer answers with a syntactically
//     valid SDP built from the offer's m-lines (fixed codecs, ICE
//     credentials and fingerprint), generateOffer offers audio and video,
//     gatherCandidates emits one loopback host candidate per m-line and then
//     IceGatheringDone, always after the reply (a real KMS may send them
//     before). addIceCandidate accepts anything.
//   - Requests of one socket are executed one at a time, in order (KMS runs
//     them on a thread pool); events caused by a call are queued before its
//     reply, except those of gatherCandidates.
//   - getUsedCpu answers a fixed value after the requested interval;
//     getCpuCount and getUsedMemory describe the test process; getKmd
//     returns the SDK's IDL facts in a kmd-like JSON, not the original
//     kmd.json; generationTime in getInfo is a fixed string.
//   - Property defaults follow what a real WebRtcEndpoint reports; other
//     properties start at the zero value of their type (first value for
//     enums). Setters store values without side effects.
//   - A KMS with a thread or file-descriptor limit can answer 40009; the fake
//     never does. A KMS can crash (getIceTcp killed one); the fake does not.
//   - Some error messages that the real-server frames do not show (40109,
//     40202, 40203, 40210, 40107, 40003) are worded by the fake.
//
// # Checking against a real KMS
//
// The raw-frame behaviour tests of this package take the server's URL, so
// the same suite checks a real KMS: built with the tag integration and with
// KURENTO_URL set (go test -tags integration ./kurentotest/), they talk to
// that server and leave out the checks and tests that script the fake;
// without KURENTO_URL they skip. The program cmd/kurento-fake serves this
// fake on a real port for clients in other languages.
package kurentotest
