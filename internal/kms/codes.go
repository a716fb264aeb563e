package kms

// Code is the code of a JSON-RPC error reply from KMS: one of the
// JSON-RPC 2.0 codes (-32700 to -32000) or a Kurento code (40001 to
// 40700; 49000 to 49999 are left to custom modules).
type Code int

// The JSON-RPC 2.0 codes KMS uses. KMS answers missing or mistyped
// request members, and replies of a client to a notification, with
// CodeServerError.
const (
	CodeParseError     Code = -32700
	CodeInvalidRequest Code = -32600
	CodeMethodNotFound Code = -32601
	CodeInvalidParams  Code = -32602
	CodeInternalError  Code = -32603
	CodeServerError    Code = -32000
)

// The Kurento codes of KMS 7.3 (KurentoException.hpp).
const (
	CodeMarshall                    Code = 40001
	CodeUnexpected                  Code = 40003
	CodeConnect                     Code = 40004
	CodeUnsupportedMediaType        Code = 40005
	CodeNotImplemented              Code = 40006
	CodeInvalidSession              Code = 40007
	CodeMalformedTransaction        Code = 40008
	CodeNotEnoughResources          Code = 40009
	CodeObjectTypeNotFound          Code = 40100
	CodeObjectNotFound              Code = 40101
	CodeConstructorNotFound         Code = 40104
	CodeMethodNotFoundKMS           Code = 40105
	CodeEventNotSupported           Code = 40106
	CodeIllegalParam                Code = 40107
	CodeNotAvailable                Code = 40108
	CodeNotFoundTransactionNoCommit Code = 40109
	CodeTagKeyNotFound              Code = 40110
	CodeOperationNotSupported       Code = 40111
	CodeSDPCreate                   Code = 40200
	CodeSDPParse                    Code = 40201
	CodeSDPNoLocalSDP               Code = 40202
	CodeSDPNoRemoteSDP              Code = 40203
	CodeSDPGenerateOffer            Code = 40204
	CodeSDPProcessOffer             Code = 40205
	CodeSDPProcessAnswer            Code = 40206
	CodeSDPConfiguration            Code = 40207
	CodeSDPAlreadyNegotiated        Code = 40208
	CodeSDPNotOfferGenerated        Code = 40209
	CodeSDPAnswerAlreadyProcessed   Code = 40210
	CodeSDPCannotCreateSession      Code = 40211
	CodeHTTPEndpointRegistration    Code = 40300
	CodeICEGatherCandidates         Code = 40400
	CodeICEAddCandidate             Code = 40401
	CodeKmdNotFound                 Code = 40500
	CodeURIPathFileNotFound         Code = 40600
	CodePlayerSeekFail              Code = 40700
)

// Custom modules may use the codes from CustomMin to CustomMax.
const (
	CustomMin Code = 49000
	CustomMax Code = 49999
)

// Undefined is the type name KMS gives to a code it does not name.
const Undefined = "UNDEFINED"

// CodeInfo is one row of the code table.
type CodeInfo struct {
	Code Code
	// Name is the KMS type name of the code, e.g. "MEDIA_OBJECT_NOT_FOUND".
	// For the JSON-RPC codes it is the name of the JSON-RPC error.
	Name string
	// Wire is the data.type a real KMS 7.3.1 sends with the code: Name,
	// except "UNDEFINED" for 40500 (KMS's getType() has no case for it),
	// and "" for the JSON-RPC codes, which KMS sends without data.
	Wire string
	// Ident is the Go name of the code, used to name the client's sentinel
	// error (Err + Ident) and constant (Code + Ident).
	Ident string
	// Doc says, in a few words, when KMS answers with the code.
	Doc string
}

// Codes returns the code table: every JSON-RPC code KMS uses, then every
// Kurento code of KMS 7.3 in ascending order. The slice is new on
// every call.
func Codes() []CodeInfo {
	return []CodeInfo{
		{CodeParseError, "PARSE_ERROR", "", "JSONRPCParse", "the request was not valid JSON"},
		{CodeInvalidRequest, "INVALID_REQUEST", "", "JSONRPCInvalidRequest", "the request was not a valid JSON-RPC request"},
		{CodeMethodNotFound, "METHOD_NOT_FOUND", "", "JSONRPCMethodNotFound", "the JSON-RPC method does not exist"},
		{CodeInvalidParams, "INVALID_PARAMS", "", "JSONRPCInvalidParams", "the request had no params"},
		{CodeInternalError, "INTERNAL_ERROR", "", "JSONRPCInternal", "the server failed while handling the request"},
		{CodeServerError, "SERVER_ERROR", "", "JSONRPCServer", "a request member was missing or of the wrong JSON type"},
		{CodeMarshall, "MARSHALL_ERROR", "MARSHALL_ERROR", "Marshal", "a parameter or struct field had the wrong type or value"},
		{CodeUnexpected, "UNEXPECTED_ERROR", "UNEXPECTED_ERROR", "Unexpected", "a struct of an unknown or incompatible type, or an internal failure"},
		{CodeConnect, "CONNECT_ERROR", "CONNECT_ERROR", "Connect", "elements could not be connected"},
		{CodeUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "UNSUPPORTED_MEDIA_TYPE", "UnsupportedMediaType", "the media type cannot be used there"},
		{CodeNotImplemented, "NOT_IMPLEMENTED", "NOT_IMPLEMENTED", "NotImplemented", "the operation is not implemented for this object"},
		{CodeInvalidSession, "INVALID_SESSION", "INVALID_SESSION", "InvalidSession", "the session id is not known to the server"},
		{CodeMalformedTransaction, "MALFORMED_TRANSACTION", "MALFORMED_TRANSACTION", "MalformedTransaction", "a transaction was malformed, or an invoke named an unknown operation"},
		{CodeNotEnoughResources, "NOT_ENOUGH_RESOURCES", "NOT_ENOUGH_RESOURCES", "NotEnoughResources", "the server is near its thread or file limits"},
		{CodeObjectTypeNotFound, "MEDIA_OBJECT_TYPE_NOT_FOUND", "MEDIA_OBJECT_TYPE_NOT_FOUND", "ObjectTypeNotFound", "the object type is unknown (defined, not sent by KMS 7.3)"},
		{CodeObjectNotFound, "MEDIA_OBJECT_NOT_FOUND", "MEDIA_OBJECT_NOT_FOUND", "ObjectNotFound", "the object id is unknown or was released"},
		{CodeConstructorNotFound, "MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND", "MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND", "ConstructorNotFound", "no such constructor (defined, not sent by KMS 7.3)"},
		{CodeMethodNotFoundKMS, "MEDIA_OBJECT_METHOD_NOT_FOUND", "MEDIA_OBJECT_METHOD_NOT_FOUND", "MethodNotFound", "no such method (defined, not sent by KMS 7.3)"},
		{CodeEventNotSupported, "MEDIA_OBJECT_EVENT_NOT_SUPPORTED", "MEDIA_OBJECT_EVENT_NOT_SUPPORTED", "EventNotSupported", "the class does not declare the event"},
		{CodeIllegalParam, "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", "IllegalParam", "a parameter value was refused"},
		{CodeNotAvailable, "MEDIA_OBJECT_NOT_AVAILABLE", "MEDIA_OBJECT_NOT_AVAILABLE", "NotAvailable", "the type cannot be created on this server"},
		{CodeNotFoundTransactionNoCommit, "MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT", "MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT", "NotFoundTransactionNoCommit", "a newref: id was used outside its transaction"},
		{CodeTagKeyNotFound, "MEDIA_OBJECT_TAG_KEY_NOT_FOUND", "MEDIA_OBJECT_TAG_KEY_NOT_FOUND", "TagKeyNotFound", "the object has no tag of that key"},
		{CodeOperationNotSupported, "MEDIA_OBJECT_OPERATION_NOT_SUPPORTED", "MEDIA_OBJECT_OPERATION_NOT_SUPPORTED", "OperationNotSupported", "the object does not support the operation in its state or configuration"},
		{CodeSDPCreate, "SDP_CREATE_ERROR", "SDP_CREATE_ERROR", "SDPCreate", "an SDP could not be created"},
		{CodeSDPParse, "SDP_PARSE_ERROR", "SDP_PARSE_ERROR", "SDPParse", "an SDP was empty or could not be parsed"},
		{CodeSDPNoLocalSDP, "SDP_END_POINT_NO_LOCAL_SDP_ERROR", "SDP_END_POINT_NO_LOCAL_SDP_ERROR", "SDPNoLocalSDP", "the endpoint has no local SDP yet"},
		{CodeSDPNoRemoteSDP, "SDP_END_POINT_NO_REMOTE_SDP_ERROR", "SDP_END_POINT_NO_REMOTE_SDP_ERROR", "SDPNoRemoteSDP", "the endpoint has no remote SDP yet"},
		{CodeSDPGenerateOffer, "SDP_END_POINT_GENERATE_OFFER_ERROR", "SDP_END_POINT_GENERATE_OFFER_ERROR", "SDPGenerateOffer", "an offer could not be generated"},
		{CodeSDPProcessOffer, "SDP_END_POINT_PROCESS_OFFER_ERROR", "SDP_END_POINT_PROCESS_OFFER_ERROR", "SDPProcessOffer", "an offer could not be processed"},
		{CodeSDPProcessAnswer, "SDP_END_POINT_PROCESS_ANSWER_ERROR", "SDP_END_POINT_PROCESS_ANSWER_ERROR", "SDPProcessAnswer", "an answer could not be processed"},
		{CodeSDPConfiguration, "SDP_CONFIGURATION_ERROR", "SDP_CONFIGURATION_ERROR", "SDPConfiguration", "the SDP configuration is wrong"},
		{CodeSDPAlreadyNegotiated, "SDP_END_POINT_ALREADY_NEGOTIATED", "SDP_END_POINT_ALREADY_NEGOTIATED", "SDPAlreadyNegotiated", "the endpoint was already negotiated"},
		{CodeSDPNotOfferGenerated, "SDP_END_POINT_NOT_OFFER_GENERATED", "SDP_END_POINT_NOT_OFFER_GENERATED", "SDPNotOfferGenerated", "an answer came before any offer was generated"},
		{CodeSDPAnswerAlreadyProcessed, "SDP_END_POINT_ANSWER_ALREADY_PROCCESED", "SDP_END_POINT_ANSWER_ALREADY_PROCCESED", "SDPAnswerAlreadyProcessed", "an answer was already processed"},
		{CodeSDPCannotCreateSession, "SDP_END_POINT_CANNOT_CREATE_SESSON", "SDP_END_POINT_CANNOT_CREATE_SESSON", "SDPCannotCreateSession", "the SDP session could not be created"},
		{CodeHTTPEndpointRegistration, "HTTP_END_POINT_REGISTRATION_ERROR", "HTTP_END_POINT_REGISTRATION_ERROR", "HTTPEndpointRegistration", "an HTTP endpoint could not be registered"},
		{CodeICEGatherCandidates, "ICE_GATHER_CANDIDATES_ERROR", "ICE_GATHER_CANDIDATES_ERROR", "ICEGatherCandidates", "candidate gathering failed"},
		{CodeICEAddCandidate, "ICE_ADD_CANDIDATE_ERROR", "ICE_ADD_CANDIDATE_ERROR", "ICEAddCandidate", "a remote candidate was refused"},
		{CodeKmdNotFound, "SERVER_MANAGER_ERROR_KMD_NOT_FOUND", Undefined, "KmdNotFound", "the server has no module of that name"},
		{CodeURIPathFileNotFound, "URI_PATH_FILE_NOT_FOUND", "URI_PATH_FILE_NOT_FOUND", "URIPathFileNotFound", "the file of a URI does not exist"},
		{CodePlayerSeekFail, "PLAYER_SEEK_FAIL", "PLAYER_SEEK_FAIL", "PlayerSeekFail", "a seek failed"},
	}
}

// Info returns the table row of c; false for a code not in the table.
func (c Code) Info() (CodeInfo, bool) {
	for _, i := range Codes() {
		if i.Code == c {
			return i, true
		}
	}
	return CodeInfo{}, false
}

// String returns the type name of c ("MEDIA_OBJECT_NOT_FOUND"), or
// "UNDEFINED" for a code not in the table, as KMS names it.
func (c Code) String() string {
	if i, ok := c.Info(); ok {
		return i.Name
	}
	return Undefined
}

// Wire returns the data.type a real KMS sends with c: "UNDEFINED" for a
// code it does not name, "" for a JSON-RPC code (sent without data).
func (c Code) Wire() string {
	if i, ok := c.Info(); ok {
		return i.Wire
	}
	return Undefined
}

// IsJSONRPC reports whether c is in the range of JSON-RPC 2.0 codes
// (-32768 to -32000) rather than a Kurento code.
func (c Code) IsJSONRPC() bool { return c >= -32768 && c <= -32000 }
