package kms

import (
	"strconv"
	"strings"
	"time"
)

// JSONRPCVersion is the only protocol version KMS accepts.
const JSONRPCVersion = "2.0"

// The JSON-RPC methods KMS serves (client to server), and the one it
// sends (OnEvent, a notification).
const (
	MethodCreate       = "create"
	MethodInvoke       = "invoke"
	MethodDescribe     = "describe"
	MethodRelease      = "release"
	MethodSubscribe    = "subscribe"
	MethodUnsubscribe  = "unsubscribe"
	MethodTransaction  = "transaction"
	MethodPing         = "ping"
	MethodConnect      = "connect"
	MethodCloseSession = "closeSession"
	MethodOnEvent      = "onEvent"
)

// Members of request params and results. Params always carry SessionID
// once the client has one; results carry Value and SessionID.
const (
	ParamObject            = "object"
	ParamOperation         = "operation"
	ParamOperationParams   = "operationParams"
	ParamType              = "type"
	ParamConstructorParams = "constructorParams"
	ParamSubscription      = "subscription"
	ParamSessionID         = "sessionId"
	ParamOperations        = "operations"
	ParamRelease           = "release"
	ParamInterval          = "interval"
	ResultValue            = "value"
)

// ServerManagerID is the id of the one ServerManager of a KMS.
const ServerManagerID = "manager_ServerManager"

// ReplyCacheWindow is how long KMS keeps the reply to a (session, id)
// pair: a request repeated within it is answered from the cache without
// running again.
const ReplyCacheWindow = 20 * time.Second

// ResendWindow is how long after first sending a request a client may
// still resend it with the same id after a reconnect, safely under
// ReplyCacheWindow (the margin covers the reconnect and clock
// granularity).
const ResendWindow = 15 * time.Second

// ---- property accessors ----

// Getter is the operation that reads property prop: "get" and the name
// with its first letter upper-cased (sdpMLineIndex -> getSdpMLineIndex).
func Getter(prop string) string { return "get" + UpperFirst(prop) }

// Setter is the operation that writes property prop: "set" and the name
// with its first letter upper-cased.
func Setter(prop string) string { return "set" + UpperFirst(prop) }

// UpperFirst upper-cases the first letter of an IDL name and keeps the
// rest of its spelling.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ---- transaction references ----

// NewRefPrefix starts the id of an object created earlier in the same
// transaction: "newref:N" names the result of operation N.
const NewRefPrefix = "newref:"

// NewRef is the reference to the result of transaction operation i.
func NewRef(i int) string { return NewRefPrefix + strconv.Itoa(i) }

// IsNewRef reports whether id is a transaction reference ("newref:...").
func IsNewRef(id string) bool { return strings.HasPrefix(id, NewRefPrefix) }

// CutNewRef returns what follows "newref:" in s, and whether s had the
// prefix. The rest is an operation index when the reference is well formed.
func CutNewRef(s string) (index string, ok bool) { return strings.CutPrefix(s, NewRefPrefix) }

// ---- object ids ----

// KMS names an object "<uuid>_<module>.<Class>" and a pipeline's element
// "<pipeline id>/<uuid>_<module>.<Class>"; the ServerManager is
// "manager_ServerManager". Ids are opaque to the protocol: reading a class
// from one serves only logs, traces and pictures.

// IDSegment is the last segment of an object id: the whole id of a
// pipeline, the part after the slash of an element.
func IDSegment(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// ClassOfID reads the class at the end of an object id ("WebRtcEndpoint",
// "ServerManager"); "" when there is none.
func ClassOfID(id string) string {
	s := IDSegment(id)
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	if i := strings.LastIndexByte(s, '_'); i >= 0 {
		return s[i+1:]
	}
	return ""
}

// ChildID is the id KMS gives an element of the pipeline whose id is
// parent: the pipeline's id, a slash and the element's own part.
func ChildID(parent, own string) string { return parent + "/" + own }

// OwnID is the own part of an object id: "<uuid>_<module>.<Class>".
func OwnID(uuid, module, class string) string { return uuid + "_" + module + "." + class }
