// Command kurento looks inside a running Kurento Media Server: what it
// runs, which pipelines exist and how they are wired, what an object
// emits, and it releases pipelines that were left behind.
//
//	kurento [--url URL] [--timeout D] [--json] VERB [ARGS]
//
// Verbs:
//
//	info                      version, modules, CPU, memory, pipelines, sessions
//	ls                        pipelines: id, name, creation time, elements, tags
//	tree [PIPELINE]           pipelines with their elements and connections
//	describe OBJECT           an object's class, place, name, tags and properties
//	dot PIPELINE              the pipeline's graph as Graphviz DOT
//	events OBJECT [TYPE...]   print an object's events until interrupted
//	stats ENDPOINT            an element's media statistics
//	gc --older-than D         release old pipelines nobody uses (asks first)
//	completion bash|zsh       a shell completion script
//
// Every verb takes --help and the common flags: --url (default: the
// KURENTO_URL environment variable, else ws://127.0.0.1:8888/kurento),
// --timeout (bounds connecting and each request, default 10s) and --json
// (machine-readable output: one JSON document, or one JSON object a line
// for events). Human output is aligned tables. Flags may come before or
// after the verb.
//
// # Exit codes
//
//	0  success (also: events ended by an interrupt, gc declined or with
//	   nothing to release)
//	1  the operation failed (the server refused a request, a network error)
//	2  bad usage: unknown verb or flag, missing or extra argument
//	3  could not connect to the server, or it is not Kurento
//	4  the object named on the command line does not exist
//
// # What gc can know
//
// KMS does not say which session owns a pipeline, so "no live session uses
// it" is decided from what the server does expose:
//   - the pipeline's age (getCreationTime) must exceed --older-than;
//   - with --owner-tag KEY, a pipeline whose tag KEY names a session that
//     getSessions still lists is in use (applications opt in by tagging
//     their pipelines with their session id);
//   - a pipeline in which audio or video flows into an element
//     (isMediaFlowingIn) or out of a WebRtcEndpoint or RtpEndpoint
//     (isMediaFlowingOut: an endpoint that receives its peer's media and
//     feeds nothing reports only that) is in use, unless --ignore-media;
//   - --tag KEY=VALUE restricts gc to pipelines carrying that tag.
//
// gc prints its plan, one pipeline a line with the reason it is kept or
// released, asks for confirmation on the terminal unless --yes, releases
// and prints what it released. --dry-run stops after the plan.
//
// Looking at objects has side effects on KMS that the tool cannot avoid:
// getPipelines makes the server's session with the empty id co-own every
// pipeline (`info` lists it as ""), and any request on an object
// makes this tool's session co-own it until the tool exits (its session is
// closed then, so it never keeps anything alive).
//
// # Why the standard flag package
//
// The tool is built on flag.FlagSet, one per verb, rather than cobra: the
// SDK module's dependency set is part of what its users inherit, and cobra
// (with pflag) would add two modules to it for what nine verbs, three
// common flags and a completion script need. The cost is a small dispatcher
// and hand-written completion scripts, both tested here.
package main
