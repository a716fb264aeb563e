package kurentotest

import (
	"encoding/json"
	"strconv"

	"github.com/gokurento/kurento/internal/kms"
)

// This file holds transactions: operations run in order, each seeing the
// results of the earlier ones through "newref:N" references.

// transaction runs operations in order, with newref substitution, stopping
// at the first failure and rolling nothing back.
func (st *state) transaction(cx *callCtx, a *args) (any, *rpcError) {
	ops := a.operations
	sid := a.sessionOrNew()
	responses := []any{}
	values := map[int]any{}
	for i, opv := range ops {
		op, ok := opv.(map[string]any)
		if !ok {
			// KMS reads the operation's fields without checking it is an
			// object: jsoncpp throws.
			return nil, plainError(kms.CodeInternalError, kms.MsgUnexpectedPrefix+"in Json::Value::resolveReference(key, end): requires objectValue")
		}
		idv := op["id"]
		if !isIndex(idv, i) {
			// KMS names the expected index twice, not the id it got.
			return nil, kmsError(kms.CodeMalformedTransaction,
				"Id of request '"+strconv.Itoa(i)+"' should be '"+strconv.Itoa(i)+"'")
		}
		method, _ := op["method"].(string)
		if ver, _ := op["jsonrpc"].(string); ver != kms.JSONRPCVersion || method == "" {
			// An operation that is not a JSON-RPC request fails like one
			// sent alone, and ends the transaction.
			responses = append(responses, map[string]any{"error": invalidRequest().tree(), "id": json.Number(strconv.Itoa(i)), "jsonrpc": kms.JSONRPCVersion})
			break
		}
		params, _ := op["params"].(map[string]any)
		if params == nil {
			params = map[string]any{}
		}
		params, err := injectMapRefs(params, values)
		if err != nil {
			return nil, err
		}
		params[kms.ParamSessionID] = sid
		subcx := &callCtx{c: cx.c, sid: sid, inTx: true}
		var (
			res  any
			rerr *rpcError
		)
		if method == kms.MethodTransaction {
			rerr = plainError(kms.CodeMethodNotFound, kms.MsgMethodNotFound)
		} else {
			res, rerr = st.call(subcx, method, params)
		}
		cx.after = append(cx.after, subcx.after...)
		if rerr != nil {
			responses = append(responses, map[string]any{"error": rerr.tree(), "id": json.Number(strconv.Itoa(i)), "jsonrpc": kms.JSONRPCVersion})
			break
		}
		responses = append(responses, map[string]any{"id": json.Number(strconv.Itoa(i)), "jsonrpc": kms.JSONRPCVersion, "result": res})
		if rm, ok := res.(map[string]any); ok {
			if v, ok := rm["value"]; ok {
				values[i] = v
			}
		}
	}
	return result(sid, responses, true), nil
}

func isIndex(v any, i int) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	x, err := n.Int64()
	return err == nil && x == int64(i)
}

// injectRefs replaces every "newref:N" string in v by the value of
// operation N's result.
func injectRefs(v any, values map[int]any) (any, *rpcError) {
	switch x := v.(type) {
	case string:
		ns, ok := kms.CutNewRef(x)
		if !ok {
			return x, nil
		}
		n, err := strconv.Atoi(ns)
		if err != nil {
			return nil, kmsError(kms.CodeMalformedTransaction, kms.MsgInvalidNewRef(ns))
		}
		val, ok := values[n]
		if !ok {
			return nil, kmsError(kms.CodeMalformedTransaction, kms.MsgResultNotFound(n))
		}
		return val, nil
	case map[string]any:
		return injectMapRefs(x, values)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := injectRefs(e, values)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// injectMapRefs is injectRefs for an object; it returns a new map.
func injectMapRefs(m map[string]any, values map[int]any) (map[string]any, *rpcError) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		r, err := injectRefs(e, values)
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}
