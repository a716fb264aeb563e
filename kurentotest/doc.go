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
// unparsable frames answered by dropping the socket (no close frame),
// -32600 for non-objects and malformed envelopes on an unbound socket (on a
// socket bound to a session, a frame with no object to hold the sessionId
// — a batch, a string, params that are not an object — drops the socket),
// jsoncpp's conversions of parameters (a number passes as a string, 1.5 as
// the int 1), the reply to notifications, session id insertion from the
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
// MARSHALL_ERROR messages of KMS) comes from the IDL facts of the SDK, and
// from the kmd.json of custom modules given with [WithModule].
//
// Tests can look at the state ([Server.Objects], [Server.Sessions],
// [Server.Subscriptions], [Server.Calls]), wait for a call to arrive
// without polling ([Server.WaitCall]), emit any event ([Server.Emit]),
// change the answer of the next calls or every call of a method or invoke
// operation ([Server.React], with explicit targets [Server.ReactMethod] and
// [Server.ReactOperation]: delay, fail with a chosen code, swallow with or
// without executing), bound the call log ([WithCallLog]), drop
// every socket ([Server.DropConnections]), simulate a KMS restart
// ([Server.Restart]), write raw frames ([Server.Inject]) and make a remote
// peer connect and send media ([Server.SimulateMediaFlow]).
//
// # Media behaviour without real media
//
// processOffer answers like KMS 7.3 (line for line the answer a real KMS
// gave to a Chrome offer, see testdata/real-kms): m-lines mirrored in
// order with port 1 and no candidates, only the codecs KMS negotiates kept
// (opus, PCMU, PCMA; VP8, VP9, H264, AV1; rtx, red, ulpfec, G722, CN and
// telephone-event dropped) with their rtcp-fb (minus transport-cc) and
// fmtp, only the abs-send-time extension, the offer's direction inverted
// (the recvonly/sendonly constructor flags do not change an answer), mids
// and the BUNDLE group kept, setup (a=setup:active for an actpass offer)
// and rtcp-mux in the offer's order, an ssrc line on every RTP m-line,
// fresh ICE credentials and the sha-256 fingerprint of a real self-signed
// certificate made once per server (new after [Server.Restart]). An m-line
// without a usable codec is rejected: port 0, the offer's first format
// only, no rtpmap, out of the BUNDLE group, otherwise laid out like the
// others. generateOffer gives KMS's offer shape (RTP/SAVPF, mids
// audio0/video0, actpass, no rtpmap for the static types 0 and 8, the
// direction the constructor flags ask for) and honours OfferOptions.
// pion/webrtc accepts both (see the tests). An offer without m-lines that
// has a version line (KMS skips the lines it cannot parse, so "v=0" or
// "garbage\r\nv=0" will do) is answered with the session lines alone
// (v, o, s, c, t) and starts the session; gatherCandidates then sends no
// event. An offer without a version line is Invalid SDP (40201).
//
// gatherCandidates emits, after its reply, IceComponentStateChanged
// GATHERING for components 1 and 2 of each ICE stream, IceCandidateFound
// for three loopback host candidates (UDP, TCP active, TCP passive) of each
// component on every m-line (one stream for a BUNDLE), then
// IceGatheringDone; called before the local SDP exists, it is answered and
// forgotten, as on a real KMS (a later call gathers). A second call does
// nothing. The first well-formed remote candidate of a
// negotiated, gathering endpoint emits IceComponentStateChanged
// CONNECTING, as on a real KMS.
//
// The flow directions are those of KMS, seen from the pipeline:
// MediaFlowIn is media entering an element from its links,
// MediaFlowOut media leaving it into the pipeline. Media flows from
// WebRtcEndpoint/RtpEndpoint peers (after SimulateMediaFlow: the
// endpoint's MediaFlowOutStateChanged comes at once, linked or not) and
// from playing players, along AUDIO and VIDEO links:
// MediaFlowOutStateChanged on the sending element (links or not),
// MediaFlowInStateChanged on the receiver, hop by hop through filters and
// hub ports (an endpoint does not pass on what enters it);
// isMediaFlowingIn/Out follow.
// A successful processOffer or processAnswer emits MediaSessionStarted,
// before ICE, as on KMS. Players move
// START/PAUSE/STOP and end with STOP and EndOfStream after
// [WithPlayerDuration]; recorders wait for media before START and
// Recording, and emit Paused and Stopped.
//
// # Real media ([WithMedia])
//
// With [WithMedia] (on in cmd/kurento-fake and in the examples' embedded
// fake) the server carries media, through its internal media engine built
// on pion:
//
//   - A WebRtcEndpoint terminates WebRTC for real, whether it answered an
//     offer or generated one (then it is the ICE-controlling side and
//     takes candidates trickled before the answer once processAnswer
//     comes): ICE on UDP host candidates of the loopback and the
//     machine's interfaces (IPv4), DTLS with the certificate whose
//     fingerprint its SDP advertises, SRTP/SRTCP, rtcp-mux and BUNDLE. The
//     answer or offer keeps the shape described above, with the SSRCs the
//     endpoint really sends with; an offering endpoint sends the first
//     codec of the peer's answer. ICE runs from gatherCandidates on, as
//     on KMS: the peer's candidates (of its SDP or added) wait for it, and
//     no IceComponentStateChanged comes before it. gatherCandidates
//     reports the real candidates (the same candidate on every m-line of
//     the bundle), then IceGatheringDone, then the ICE states
//     (CONNECTING for components 1 and 2, as on KMS, the rest for 1).
//   - An RtpEndpoint, whether it answered an offer or generated one and
//     took the answer, sends and receives RTP on one UDP socket on
//     127.0.0.1 per m-line, RTCP on the same port: its SDP names that
//     address on its c= line and the sockets' ports on its m= and a=rtcp
//     lines (the other lines keep their shape). It sends to the address
//     and port of the peer's SDP (nothing when the peer's port is 0 or 1
//     or its address 0.0.0.0), with the payload type both SDPs give the
//     source's codec. Created with an SDES crypto suite it writes an
//     a=crypto line with its key (a random one when the constructor gave
//     none) and, when the peer's SDP has one too, carries SRTP and SRTCP:
//     what it sends is protected with its own key, what it receives opened
//     with the peer's. Two fakes' RtpEndpoints (pool/cascade's relays)
//     carry media between them. Without WithMedia an RtpEndpoint's SDP
//     keeps port 1, 0.0.0.0 and no a=crypto line.
//   - Media follows the connections per media type: what a WebRtcEndpoint
//     or RtpEndpoint receives leaves through every element connected from it (loopback
//     with ep.Connect(ep), one-to-many, PassThrough and filters pass it
//     on), connect and disconnect at any time. A sink that starts taking
//     media from a source (a new viewer, a Dispatcher switch) sends a key
//     frame request (PLI) to the peer of that source, and key frame
//     requests from a viewer's browser go upstream too.
//   - Hubs route one input to each output: Dispatcher and Mixer as
//     connected, DispatcherOneToMany from its source port to every other
//     port, Composite and AlphaBlending from every port to every other one.
//   - IceComponentStateChanged (CONNECTING, CONNECTED, READY, FAILED,
//     DISCONNECTED), NewCandidatePairSelected, DtlsConnectionStateChange,
//     ConnectionStateChanged and MediaStateChanged follow the transport;
//     MediaFlowInStateChanged (packets arriving from a link, whether or
//     not the element sends them on to a peer or a file; on a
//     WebRtcEndpoint only once its DTLS is connected, as on KMS) and
//     MediaFlowOutStateChanged (packets from the peer of a WebRtcEndpoint
//     or RtpEndpoint, or packets leaving any other element, linked or
//     not; for a hub port packets sent on a link) follow the packets,
//     with NOT_FLOWING 2 s after the last one (a KMS 7.3.1 took 2.0 to 4
//     s in three runs), and isMediaFlowingIn/Out answer the same.
//     MediaSessionStarted comes with the negotiation, as without media;
//     MediaSessionTerminated when ICE fails or the DTLS session closes.
//   - A PlayerEndpoint with a file:// URI plays a VP8 IVF file (video) or
//     an Ogg Opus file with one packet per page (audio) in real time, then
//     STOP and EndOfStream; pause keeps the position. A RecorderEndpoint
//     with a file:// URI writes a WebM file (VP8 and Opus tracks) from the
//     first video key frame on; stop and stopAndWait finish the file
//     before they answer.
//
// What it does not do: packets are forwarded, never decoded, transcoded
// or mixed. A WebRtcEndpoint sends the first codec of its answer and takes
// only sources of that codec (browsers put VP8 first); a sink takes one
// source at a time per media type (a Composite shows each participant one
// other participant, not a grid); filters pass media through unchanged.
// Lost packets are asked for and resent (NACK, without RTX), but no
// bandwidth feedback (REMB, transport-cc) is sent, so a browser keeps its
// starting bitrate.
// RtpEndpoints listen on the loopback only (a peer on another machine
// cannot reach them) and send no RTCP reports; a WebRtcEndpoint that
// generates an offer with useDataChannels, data channels, TCP candidates,
// IPv6, STUN/TURN and mDNS carry no media; players and
// recorders read and write only local files in the formats above (WebM
// or MP4 players get Error INVALID_URI), with the rights of the process,
// wherever their URI points, as KMS does; getStats stays empty.
// [Server.SimulateMediaFlow] still emits its events for one endpoint, but
// the flow it starts does not spread along links.
//
// # Differences from a real KMS
//
//   - No media without [WithMedia]: nothing flows unless a test calls [Server.SimulateMediaFlow]
//     or a player plays; flow never stops (no NOT_FLOWING, not even on
//     disconnect, stop or release); MediaTranscodingStateChanged,
//     MediaSessionTerminated and DataChannelOpened never happen by
//     themselves (use [Server.Emit]); isMediaTranscoding answers false,
//     getStats null (as KMS does without media), getVideoInfo and
//     getPosition zero values; setPosition fails (40700 kms.MsgSeekFails, as
//     on KMS) unless the player plays, and then does nothing. A
//     WebRtcEndpoint fed by a flowing source reports its flow in at once,
//     negotiated or not; a real KMS only once its peer's ICE and DTLS are
//     connected (use [WithMedia] for that).
//   - ICE and DTLS: without [WithMedia] the candidates are made up
//     (127.0.0.1, random ports) and the events after CONNECTING are the
//     fake's reconstruction. A real KMS connected to a pion peer sent, after
//     IceGatheringDone: CONNECTING for components 1 and 2, CONNECTED (1),
//     DtlsConnectionStateChange NEW, CONNECTING and CONNECTED for each of
//     the bundle's DTLS elements (componentId "[bundle/dtlssrtpenc]" and
//     "[bundle/dtlssrtpdec]", connectionId "dtlssrtpencN-dtlssrtpdecN-1-1"),
//     NewCandidatePairSelected among them, MediaStateChanged CONNECTED,
//     and READY last. The fake sends one DtlsConnectionStateChange per
//     state (componentId and connectionId "1"), no NEW, READY right after
//     the pair, and with [WithMedia] the pair's candidates as pion writes
//     them (lowercase transport, ufrag and generation). A real KMS sends the
//     gathering events in no fixed order (components, candidates and even
//     IceGatheringDone interleave), some before the gatherCandidates reply;
//     the fake sends them after it, GATHERING first, IceGatheringDone
//     last. addIceCandidate accepts any candidate string like KMS (it
//     never answers 40401).
//   - SDP: the answer keeps what the fake understands; exotic offers
//     (several m-lines of one kind with different codecs, simulcast, SDES
//     crypto, non-WebRTC RtpEndpoint offers) get the same treatment and
//     may differ from KMS. An application m-line is accepted (port 1, the
//     offer's sctp-port) only with useDataChannels, else rejected with
//     port 0 (the real frames hold no data channel offer). processAnswer
//     checks only the number of m-lines: more than the offer's is 40206,
//     fewer (even none, as a real KMS takes) leave the missing ones
//     rejected. OfferOptions with offerToReceiveAudio/Video false leave
//     that m-line out (inferred, not observed). Of an offer without
//     m-lines, a real KMS keeps its session attributes (a=...) in the
//     answer and stores it reparsed (getRemoteSessionDescriptor gives
//     "v=0\r\nt=0 0\r\n" for "v=0\r\n"); the fake answers the session
//     lines only and stores the offer as sent. A malformed m-line
//     ("m=audio") is Invalid SDP on the fake; KMS answers it rejected.
//   - Players cannot read files: a URI named with [WithMissingURIs], or
//     without a file/http/https/rtsp(s) scheme, gives one Error INVALID_URI
//     then START (a real KMS repeats the Error several times); any other
//     URI plays. Recorders write nothing; stopOnEndOfStream is ignored.
//   - Hubs: Dispatcher, DispatcherOneToMany and AlphaBlending take
//     HubPorts of any hub, as KMS does (a real Dispatcher can still fail
//     to link ports, 40004 "Can not connect ports"); Mixer checks that the
//     ports belong to it (40004, fake wording) and the media type (40005);
//     no media is routed through hubs. A real Composite's HubPort reports
//     its video flowing out (isMediaFlowingOut) with no input at all (the
//     compositor's output never stops); the fake's only when media is
//     routed to it. getGstreamerDot returns a small made-up graph.
//   - GStreamerFilter's setElementProperty stores anything; KMS refuses a
//     property its GStreamer element lacks (40001 "No property named 'x'
//     in object 'capsfilter49'") and properties of some types (40006
//     "Property type not implemented: GParamBoxed" for caps).
//   - requestKeyframe succeeds; KMS refuses it on an endpoint with no
//     output (40111 "Keyframe request failed (must be requested from a
//     subscriber element)").
//   - Children (getChildren) are listed in creation order; a real KMS lists
//     them in no fixed order. The ServerManager's creationTime is fixed.
//   - Requests of one socket are executed one at a time, in order (KMS runs
//     them on a thread pool); events caused by a call are queued before its
//     reply, except those of gatherCandidates and addIceCandidate. A real
//     KMS may send a call's events after its reply (ElementConnected,
//     ObjectDestroyed after release), the three ElementConnected of a
//     connect without media type in any order, and may deliver an event
//     emitted while a session had no socket to the socket that binds it
//     next.
//   - getUsedCpu answers a fixed value after the requested interval;
//     getCpuCount and getUsedMemory describe the test process; getKmd
//     returns the SDK's IDL facts in a kmd-like JSON, not the original
//     kmd.json; generationTime in getInfo is a fixed string.
//   - Property defaults follow what a real WebRtcEndpoint reports; other
//     properties start at the zero value of their type (first value for
//     enums). Setters store values without side effects.
//   - A KMS with a thread or file-descriptor limit can answer 40009; the fake
//     never does.
//   - A KMS can crash; the fake does not. Requests that kill KMS 7.3.1 (the
//     build the integration tests use): invoke getIceTcp on a
//     WebRtcEndpoint ("stack smashing detected"), and any invoke of
//     Mixer's connect or disconnect (media, source, sink), even on fresh
//     ports never connected before ("free(): invalid pointer" or a
//     segmentation fault in the mixer's invoke), and connecting a
//     Composite's HubPort on VIDEO to a HubPort of the same Composite
//     (itself included: a loop through the compositor). The suites keep
//     them out of their real-server runs; the fake answers them.
//   - Some error messages that no real-server exchange shows (40206, 40003,
//     40004 for a port of another hub, 40005) are worded by the fake.
//
// # Checking against a real KMS
//
// The raw-frame behaviour tests of this package take the server's URL, so
// the same suite checks a real KMS: built with the tag integration and with
// KURENTO_URL set (go test -tags integration ./kurentotest/), they talk to
// that server, in parallel, and leave out the checks and tests that script
// the fake; without KURENTO_URL they skip. The same build plays a request
// script (every getter of every class, the constructors, malformed
// requests, transactions, batches) against the real server and replays its
// answers against the fake, which must match byte for byte;
// testdata/k_wire.frames.txt is that recording, replayed in every test run. The program cmd/kurento-fake
// serves this fake on a real port for clients in other languages.
//
// # How it is built
//
// Every request frame goes through the same steps (request.go): it is
// decoded and its envelope checked, answered from the reply cache if it
// repeats an earlier request, matched against the reactions a test
// installed, executed, and its reply encoded and delivered. The
// protocol's facts (method and member names, error codes with their type
// names and messages, newref, accessor naming) come from the SDK's
// protocol core, the class knowledge from the IDL facts. Executing a
// method reads its protocol parameters once into typed values and checks
// the IDL-typed ones (params.go) as KMS does.
//
// What the server does beyond storing property values is split into
// behaviours, one file each: SDP negotiation (sdp.go), ICE (ice.go), RTP
// endpoints (rtpendpoint.go), players (player.go) and recorders
// (recorder.go), hubs (hub.go), element connections (element.go), media
// flow (flow.go), the ServerManager (servermanager.go) and so on. Each
// server assembles its own table of them when it starts; objects keep
// typed state per behaviour, and servers share nothing, so any number of
// fakes run side by side in one test binary. With [WithMedia], media.go
// joins the behaviours to the media engine (internal/media): each
// behaviour names the engine nodes of its elements and handles the
// engine events that concern it.
//
// # Concurrency
//
// Every method of [Server] is safe for concurrent use. The server handles
// each socket on its own goroutines; its state is guarded by one lock, so
// scripting calls (Emit, React, DropConnections, Restart) are atomic with
// respect to the requests being executed.
//
// # Errors
//
// Protocol errors go to the client as KMS would send them; scripting
// methods return errors only for misuse (an unknown object for Emit, an
// endpoint that cannot flow yet), and [Server.WaitCall] returns ctx's error
// or [ErrServerClosed].
//
// # Lifetime
//
// [NewServer] closes the server when the test ends; [Start] leaves it to
// [Server.Close], which closes every socket and waits for the server's
// goroutines. DropConnections keeps sessions, as KMS does when a socket
// breaks; Restart forgets them and changes the serverId.
package kurentotest
