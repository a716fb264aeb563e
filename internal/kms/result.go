package kms

import (
	"encoding/json"

	"github.com/gokurento/kurento/internal/jsonrpc"
)

// ValueResult is the result of create, invoke, subscribe and transaction
// as the client reads it: its value undecoded. The sessionId member is
// skipped (the client knows its session).
type ValueResult struct {
	Value json.RawMessage `json:"value"`
}

// ValueInto decodes the value of a result straight into Value (a
// pointer) during the decode of the reply; sessionId is skipped.
type ValueInto struct {
	Value any `json:"value"`
}

// DescribeResult is the result of describe.
type DescribeResult struct {
	Hierarchy     []string `json:"hierarchy"`
	QualifiedType string   `json:"qualifiedType"`
	SessionID     string   `json:"sessionId"`
	Type          string   `json:"type"`
}

// ConnectResult is the result of connect.
type ConnectResult struct {
	ServerID  string `json:"serverId"`
	SessionID string `json:"sessionId"`
}

// TxReply is the reply to one operation of a transaction, an element of
// the transaction's value: a result or an error.
type TxReply struct {
	ID     json.RawMessage `json:"id"`
	Result *ValueResult    `json:"result"`
	Error  *jsonrpc.Error  `json:"error"`
}

// ErrorData is the data member KMS puts in its error replies.
type ErrorData struct {
	Type string `json:"type"` // the code's type name, see [Code.Wire]
}

// ErrorType returns the data.type of an error reply's data member; "" when
// data is absent, null or has no type.
func ErrorType(data []byte) string {
	if len(data) == 0 || string(data) == "null" {
		return ""
	}
	var d ErrorData
	if json.Unmarshal(data, &d) != nil {
		return ""
	}
	return d.Type
}
