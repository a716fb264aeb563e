package types

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// wireModule is the "__module__" value KMS uses for the types of the core,
// elements and filters modules.
const wireModule = "kurento"

// ErrInvalidEnum matches every [*InvalidEnumError].
var ErrInvalidEnum = errors.New("kurento: invalid enum value")

// ErrUnknownType is returned by [DecodeComplex] for a type name that is
// not a struct of this package.
var ErrUnknownType = errors.New("kurento: unknown complex type")

// InvalidEnumError reports an enum value that this SDK does not know, found
// while encoding.
type InvalidEnumError struct {
	Enum  string // IDL name of the enum, e.g. "MediaType"
	Value string
}

// Error implements error.
func (e *InvalidEnumError) Error() string {
	return fmt.Sprintf("kurento: invalid %s value %s", e.Enum, strconv.Quote(e.Value))
}

// Is makes errors.Is(err, ErrInvalidEnum) hold.
func (e *InvalidEnumError) Is(target error) bool { return target == ErrInvalidEnum }

// Complex is implemented by every struct of this package.
type Complex interface {
	// KurentoType returns the IDL name of the struct, its "__type__".
	KurentoType() string
}

// Ptr returns a pointer to a copy of v, for optional fields:
// types.OfferOptions{OfferToReceiveVideo: types.Ptr(false)}.
func Ptr[T any](v T) *T { return &v }

// complexType describes one struct; the generated <module>ComplexType
// functions return them.
type complexType struct {
	name    string
	extends string
	decode  func([]byte) (Complex, error)
}

func decodeAs[T Complex](b []byte) (Complex, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// lookup returns the struct named name, from the generated per-module
// switches (modules without structs have none).
func lookup(name string) (complexType, bool) {
	if t, ok := coreComplexType(name); ok {
		return t, ok
	}
	return elementsComplexType(name)
}

// isA reports whether struct name is base or extends it.
func isA(name, base string) bool {
	for n := name; n != ""; {
		if n == base {
			return true
		}
		t, ok := lookup(n)
		if !ok {
			return false
		}
		n = t.extends
	}
	return false
}

// DecodeComplex decodes a struct whose declared IDL type is declared, for
// instance "Stats" for the values of MediaElement getStats. When the
// object's "__type__" names declared or a struct that extends it, the
// value is decoded as that struct (so a "RTCInboundRTPStreamStats" comes
// back as [RTCInboundRTPStreamStats]); otherwise as declared. The result
// holds a struct value, not a pointer.
func DecodeComplex(data []byte, declared string) (Complex, error) {
	t, ok := lookup(declared)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownType, strconv.Quote(declared))
	}
	var tag struct {
		Type string `json:"__type__"`
	}
	if err := json.Unmarshal(data, &tag); err != nil {
		return nil, err
	}
	if tag.Type != "" && tag.Type != declared && isA(tag.Type, declared) {
		t, _ = lookup(tag.Type)
	}
	return t.decode(data)
}
