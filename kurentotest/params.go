package kurentotest

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/internal/kms"
)

// This file checks and converts the IDL-typed parameters of create and
// invoke the way KMS's generated unmarshalling code does (jsoncpp's
// conversions included), one function per kind of IDL type.

// paramSpec is a parameter to read from a request.
type paramSpec struct {
	name     string
	typ      idl.TypeRef
	optional bool
	def      json.RawMessage
}

func toSpecs(ps []idl.Param) []paramSpec {
	out := make([]paramSpec, len(ps))
	for i, p := range ps {
		out[i] = paramSpec{name: p.Name, typ: p.Type, optional: p.Optional, def: p.Default}
	}
	return out
}

// readParams checks and converts request parameters like KMS's generated
// unmarshalling code. Object references are looked up (and so referenced)
// for session sid. Missing optional parameters get their IDL default.
func (st *state) readParams(sid string, specs []paramSpec, p map[string]any) (map[string]any, *rpcError) {
	out := make(map[string]any, len(specs))
	for _, sp := range specs {
		v, ok := p[sp.name]
		if !ok || v == nil {
			if sp.optional {
				if sp.def != nil {
					if d, err := decode(sp.def); err == nil {
						out[sp.name] = d
					}
				}
				continue
			}
			return nil, kmsError(kms.CodeMarshall, kms.MsgShouldBe(sp.name, "parameter", st.s.cat.kindName(sp.typ)))
		}
		cv, err := st.convert(sid, sp.name, "parameter", sp.typ, v)
		if err != nil {
			return nil, err
		}
		out[sp.name] = cv
	}
	return out, nil
}

// convert checks one value against an IDL type. what is "parameter" or
// "property" (struct fields), for the error message.
func (st *state) convert(sid, name, what string, t idl.TypeRef, v any) (any, *rpcError) {
	cat := st.s.cat
	switch {
	case t.List:
		return st.convertList(sid, name, what, t, v)
	case t.Map:
		return st.convertMap(sid, name, what, t, v)
	}
	if conv, ok := scalarConverter(t.Name); ok {
		out, ok := conv(t.Name, v)
		if !ok {
			return nil, cat.kindError(name, what, t)
		}
		return out, nil
	}
	if _, ok := cat.f.Class(t.Name); ok {
		return st.convertRef(sid, name, what, t, v)
	}
	ct, ok := cat.f.Type(t.Name)
	switch {
	case !ok:
		return v, nil
	case ct.Enum:
		return convertEnum(ct, v)
	}
	return st.convertStruct(sid, name, what, t, ct, v)
}

// kindError is KMS's refusal of a value of the wrong JSON kind.
func (c *catalog) kindError(name, what string, t idl.TypeRef) *rpcError {
	return kmsError(kms.CodeMarshall, kms.MsgShouldBe(name, what, c.kindName(t)))
}

func (st *state) convertList(sid, name, what string, t idl.TypeRef, v any) (any, *rpcError) {
	l, ok := v.([]any)
	if !ok {
		return nil, st.s.cat.kindError(name, what, t)
	}
	out := make([]any, len(l))
	for i, e := range l {
		ce, err := st.convert(sid, name, what, t.Elem(), e)
		if err != nil {
			return nil, err
		}
		out[i] = ce
	}
	return out, nil
}

func (st *state) convertMap(sid, name, what string, t idl.TypeRef, v any) (any, *rpcError) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, st.s.cat.kindError(name, what, t)
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		ce, err := st.convert(sid, name, what, t.Elem(), e)
		if err != nil {
			return nil, err
		}
		out[k] = ce
	}
	return out, nil
}

// scalarConverter returns the conversion of a primitive IDL type; it
// reports false for a value of the wrong kind.
func scalarConverter(typ string) (func(typ string, v any) (any, bool), bool) {
	switch typ {
	case "String":
		return convertString, true
	case "int", "int64":
		return convertInt, true
	case "float", "double":
		return convertDouble, true
	case "boolean":
		return convertBool, true
	}
	return nil, false
}

// convertString reads with jsoncpp's asString: numbers and booleans pass.
func convertString(_ string, v any) (any, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return nil, false
}

// convertInt reads with jsoncpp's asInt: 1.5 passes as 1, true as 1; an
// int must fit 32 bits.
func convertInt(typ string, v any) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, false
		}
		if typ == "int" && (f > math.MaxInt32 || f < math.MinInt32) {
			return nil, false
		}
		if f != math.Trunc(f) {
			return json.Number(strconv.FormatFloat(math.Trunc(f), 'f', -1, 64)), true
		}
		if _, err := x.Int64(); err != nil {
			return json.Number(x.String()), true
		}
		return x, true
	case bool:
		return boolNumber(x), true
	}
	return nil, false
}

func convertDouble(_ string, v any) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		return x, true
	case bool:
		return boolNumber(x), true
	}
	return nil, false
}

func boolNumber(b bool) json.Number {
	if b {
		return json.Number("1")
	}
	return json.Number("0")
}

// convertBool reads with jsoncpp's asBool: a number is true unless zero.
func convertBool(_ string, v any) (any, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, false
		}
		return f != 0, true
	}
	return nil, false
}

// convertRef looks up (and so references) the object a reference names,
// which must be of the parameter's class.
func (st *state) convertRef(sid, name, what string, t idl.TypeRef, v any) (any, *rpcError) {
	id, ok := v.(string)
	if !ok {
		return nil, st.s.cat.kindError(name, what, t)
	}
	o, err := st.lookup(sid, id)
	if err != nil {
		return nil, err
	}
	if !st.s.cat.isA(o.typ, t.Name) {
		// KMS's cast of the object fails deep inside: a JSON-RPC
		// internal error, no KMS code.
		return nil, plainError(kms.CodeInternalError, kms.MsgUnexpectedPrefix+"bad_weak_ptr")
	}
	return o.id, nil
}

func convertEnum(ct *idl.ComplexType, v any) (any, *rpcError) {
	s, ok := v.(string)
	if !ok {
		return nil, kmsError(kms.CodeMarshall, kms.MsgShouldBe(ct.Name, "type", "string"))
	}
	if !slices.Contains(ct.Values, s) {
		return nil, kmsError(kms.CodeMarshall, kms.MsgInvalidValue(ct.Name))
	}
	return s, nil
}

// convertStruct checks a struct value: its __type__ (a subtype of the
// parameter's type may be named), then every field of the type, the
// missing ones taking their default.
func (st *state) convertStruct(sid, name, what string, t idl.TypeRef, ct *idl.ComplexType, v any) (any, *rpcError) {
	cat := st.s.cat
	m, ok := v.(map[string]any)
	if !ok {
		return nil, cat.kindError(name, what, t)
	}
	typeName, module, err := cat.structType(ct, m)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"__module__": module, "__type__": typeName}
	for _, f := range cat.structFields(typeName) {
		fv, ok := m[f.Name]
		if !ok || fv == nil {
			if err := cat.fieldDefault(out, f); err != nil {
				return nil, err
			}
			continue
		}
		cv, err := st.convert(sid, f.Name, "property", f.Type, fv)
		if err != nil {
			return nil, err
		}
		out[f.Name] = cv
	}
	return out, nil
}

// structType is the struct type a value names with __type__ and
// __module__ (its module prefix too), or ct when it names none.
func (c *catalog) structType(ct *idl.ComplexType, m map[string]any) (typeName, module string, err *rpcError) {
	tv, ok := m["__type__"].(string)
	if !ok {
		return ct.Name, c.modulePrefix(ct.Module), nil
	}
	mod, _ := m["__module__"].(string)
	sub, found := c.f.Type(tv)
	if !found || (mod != "" && c.modulePrefix(sub.Module) != mod) {
		return "", "", kmsError(kms.CodeUnexpected, kms.MsgTypeNotInModule(tv, mod))
	}
	if !c.structIsA(tv, ct.Name) {
		return "", "", kmsError(kms.CodeUnexpected, kms.MsgTypeNotCompatible(tv, ct.Name))
	}
	return sub.Name, c.modulePrefix(sub.Module), nil
}

// fieldDefault sets a missing struct field to its default; a required
// field without one is refused.
func (c *catalog) fieldDefault(out map[string]any, f idl.Param) *rpcError {
	switch {
	case f.Default != nil:
		if d, err := decode(f.Default); err == nil {
			out[f.Name] = d
		}
	case !f.Optional:
		return kmsError(kms.CodeMarshall, kms.MsgShouldBe(f.Name, "property", c.kindName(f.Type)))
	}
	return nil
}

func (c *catalog) structIsA(name, base string) bool {
	for n := name; n != ""; {
		if n == base {
			return true
		}
		ct, ok := c.f.Type(n)
		if !ok {
			return false
		}
		n = ct.Extends
	}
	return false
}
