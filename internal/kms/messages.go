package kms

import "strconv"

// Error messages of KMS 7.3.1 that the fake server reproduces and tests
// compare with, as the server writes them.
const (
	MsgInvalidRequest        = "Invalid JSON-RPC request."
	MsgMethodNotFound        = "Method not found."
	MsgParamsRequired        = "'params' is required"
	MsgIgnoringResponse      = "Ignoring response because of a notification request"
	MsgUnexpectedPrefix      = "Unexpected error while processing method: "
	MsgInvalidSession        = "Invalid session"
	MsgTagKeyNotFound        = "Tag key not found"
	MsgNotSharePipeline      = "Media elements do not share pipeline"
	MsgSeekFails             = "Seek fails"
	MsgKmdNotFound           = "Requested kmd module doesn't exist"
	MsgEmptyOffer            = "Empty offer not valid"
	MsgEmptyAnswer           = "Empty answer not valid"
	MsgAlreadyNegotiated     = "Endpoint already negotiated"
	MsgNotOfferGenerated     = "Offer not generated. It is not possible to process an answer."
	MsgAnswerAlreadyDone     = "Sdp Answer already processed"
	MsgNoLocalSDP            = "No local SDP"
	MsgNoRemoteSDP           = "No remote SDP"
	MsgDataChannelsDisabled  = "Data channels are not supported"
	MsgInvalidMediaType      = "Invalid media type"
	MsgMasterKeySizeWrong    = "Master key size is wrong"
	MsgConstructorParamsReq  = "'constructorParams' is required"
	MsgConstructorParamsObj  = "'constructorParams' should be an object"
	MsgOperationParamsObject = "'operationParams' should be an object"
	MsgInvalidSDP            = "Invalid SDP"
)

// MsgParamRequired is KMS's message for a missing request member
// (code -32000).
func MsgParamRequired(name string) string { return "'" + name + "' parameter is required" }

// MsgParamKind is KMS's message for a request member of the wrong JSON
// type (code -32000); kind is e.g. "a string".
func MsgParamKind(name, kind string) string { return "'" + name + "' parameter should be " + kind }

// MsgShouldBe is the message of CodeMarshall for a value that does not
// have its IDL type, or a missing one: what is "parameter" (of a
// constructor or operation), "property" (a struct field) or "type" (an
// enum given as something else than a string), kind the IDL kind
// ("string", "int", "object", "list", "map"...). KMS writes "a" before
// every kind, "a object" included.
func MsgShouldBe(name, what, kind string) string {
	return "'" + name + "' " + what + " should be a " + kind
}

// MsgTypeNotCompatible is the message of CodeUnexpected for a struct
// value whose __type__ is not the expected type or one derived from it.
func MsgTypeNotCompatible(typ, want string) string {
	return "Type '" + typ + "' is not compatible with '" + want + "'"
}

// MsgInvalidValue is the message of CodeMarshall for a value that is not
// one of its enum's values; name is the enum type's name.
func MsgInvalidValue(name string) string { return "Invalid value for '" + name + "'" }

// MsgTypeNotInModule is the message of CodeUnexpected for a complex value
// whose __type__ its __module__ does not declare.
func MsgTypeNotInModule(typ, module string) string {
	return "Type '" + typ + "' does not exist in module '" + module + "'"
}

// MsgDataNotSupported is the message of CodeIllegalParam for a media
// type DATA given to isMediaFlowingIn ("MediaFlowingIn"), isMediaFlowingOut
// ("MediaFlowingOut") or isMediaTranscoding ("MediaTranscoding").
func MsgDataNotSupported(what string) string { return "Media type DATA is not supported for " + what }

// MsgObjectNotFound is the message of CodeObjectNotFound.
func MsgObjectNotFound(id string) string { return "Object '" + id + "' not found" }

// MsgNotFoundNoCommit is the message of CodeNotFoundTransactionNoCommit.
func MsgNotFoundNoCommit(id string) string {
	return "Object '" + id + "' not found. Possibly using a transactional object without committing the transaction."
}

// MsgFactoryNotFound is the message of CodeNotAvailable for a create of an
// unknown or abstract type.
func MsgFactoryNotFound(typ string) string { return "Factory '" + typ + "' not found" }

// MsgEventNotSupported is the message of CodeEventNotSupported.
func MsgEventNotSupported(event string) string { return "Event '" + event + "' not supported" }

// MsgInvalidNewRef is the message of CodeMalformedTransaction for a
// reference whose index is not a number.
func MsgInvalidNewRef(index string) string { return "Invalid index of newref '" + index + "'" }

// MsgResultNotFound is the message of CodeMalformedTransaction for a
// reference to an operation that has no result.
func MsgResultNotFound(n int) string { return "Result not found on request " + strconv.Itoa(n) }
