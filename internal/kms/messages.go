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
	MsgLocalSDPNotGenerated  = "Local SDP not generated"
	MsgNoRemoteSDP           = "No remote SDP"
	MsgDataChannelsDisabled  = "Data channels are not supported"
	MsgInvalidMediaType      = "Invalid media type"
	MsgMasterKeySizeWrong    = "Master key size is wrong"
	MsgConstructorParamsReq  = "'constructorParams' is required"
	MsgConstructorParamsObj  = "'constructorParams' should be an object"
	MsgOperationParamsObject = "'operationParams' should be an object"
)

// MsgParamRequired is KMS's message for a missing request member
// (code -32000).
func MsgParamRequired(name string) string { return "'" + name + "' parameter is required" }

// MsgParamKind is KMS's message for a request member of the wrong JSON
// type (code -32000); kind is e.g. "a string".
func MsgParamKind(name, kind string) string { return "'" + name + "' parameter should be " + kind }

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
