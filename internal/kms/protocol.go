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
