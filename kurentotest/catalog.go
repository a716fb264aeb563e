package kurentotest

import (
	"encoding/json"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/internal/kms"
)

// This file holds the class knowledge of the fake, from the IDL facts:
// qualified names, factories, zero values, and creating objects.

// catalog is the class knowledge of the fake, built from the IDL facts.
type catalog struct {
	f *idl.Facts
}

func newCatalog(f *idl.Facts) *catalog { return &catalog{f: f} }

// modulePrefix is the prefix of qualified names and object ids: kurento for
// the three core modules, else the module name.
func (c *catalog) modulePrefix(module string) string {
	switch module {
	case "core", "elements", "filters", "":
		return "kurento"
	}
	return module
}

func (c *catalog) qualified(class string) string {
	if cl, ok := c.f.Class(class); ok {
		return c.modulePrefix(cl.Module) + "." + cl.Name
	}
	return "kurento." + class
}

// factory finds a creatable class by plain or qualified name.
func (c *catalog) factory(name string) (*idl.Class, bool) {
	cl, ok := c.f.Class(name)
	if !ok {
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			cl, ok = c.f.Class(name[i+1:])
			if ok && c.modulePrefix(cl.Module) != name[:i] {
				ok = false
			}
		}
	}
	if !ok || cl.Abstract {
		return nil, false
	}
	return cl, true
}

func (c *catalog) hasEvent(class, event string) bool {
	return slices.Contains(c.f.ClassEvents(class), event)
}

// lineage yields class and its ancestors, most derived first.
func (c *catalog) lineage(class string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for n := class; n != ""; {
			if !yield(n) {
				return
			}
			cl, ok := c.f.Class(n)
			if !ok {
				return
			}
			n = cl.Extends
		}
	}
}

// isA reports whether class is name or derives from it.
func (c *catalog) isA(class, name string) bool {
	return class == name || slices.Contains(c.f.Hierarchy(class), name)
}

// kindName is the word KMS uses in "'x' parameter should be a <kind>"
// (kms.MsgShouldBe).
func (c *catalog) kindName(t idl.TypeRef) string {
	switch {
	case t.List:
		return "list"
	case t.Map:
		return "map"
	}
	switch t.Name {
	case "String":
		return "string"
	case "int":
		return "integer"
	case "int64":
		return "int64"
	case "float", "double":
		return "double"
	case "boolean":
		return "boolean"
	}
	if _, ok := c.f.Class(t.Name); ok {
		return "string"
	}
	if ct, ok := c.f.Type(t.Name); ok && ct.Enum {
		return "string"
	}
	return "object"
}

// zero is the value of an unset field of type t.
func (c *catalog) zero(t idl.TypeRef) any {
	switch {
	case t.List:
		return []any{}
	case t.Map:
		return map[string]any{}
	}
	switch t.Name {
	case "String":
		return ""
	case "int", "int64":
		return json.Number("0")
	case "float", "double":
		return 0.0
	case "boolean":
		return false
	}
	if _, ok := c.f.Class(t.Name); ok {
		return nil
	}
	ct, ok := c.f.Type(t.Name)
	if !ok {
		return nil
	}
	if ct.Enum {
		if len(ct.Values) > 0 {
			return ct.Values[0]
		}
		return ""
	}
	// A real KMS leaves unset optional fields out, even those the IDL
	// gives a default (getRembParams of a new WebRtcEndpoint answers
	// {"__module__":"kurento","__type__":"RembParams"}).
	m := map[string]any{"__module__": c.modulePrefix(ct.Module), "__type__": ct.Name}
	for _, f := range c.structFields(ct.Name) {
		if !f.Optional {
			m[f.Name] = c.zero(f.Type)
		}
	}
	return m
}

// structFields lists the fields of a struct and its ancestors, base first.
func (c *catalog) structFields(name string) []idl.Param {
	var chain []*idl.ComplexType
	for n := name; n != ""; {
		ct, ok := c.f.Type(n)
		if !ok {
			break
		}
		chain = append(chain, ct)
		n = ct.Extends
	}
	var out []idl.Param
	for i := len(chain) - 1; i >= 0; i-- {
		out = append(out, chain[i].Properties...)
	}
	return out
}

// newObject creates an object of a creatable class from its checked
// constructor parameters.
func (st *state) newObject(class string, specs []paramSpec, vals map[string]any) *object {
	cat := st.s.cat
	cl, _ := cat.f.Class(class)
	o := &object{
		typ:     class,
		owners:  make(map[string]bool),
		props:   make(map[string]any),
		created: time.Now(),
	}
	parentKey := ""
	for _, sp := range specs {
		if sp.typ.List || sp.typ.Map {
			continue
		}
		if _, isClass := cat.f.Class(sp.typ.Name); isClass {
			if id, ok := vals[sp.name].(string); ok {
				o.parent, parentKey = id, sp.name
				break
			}
		}
	}
	for k, v := range vals {
		if k != parentKey {
			o.props[k] = v
		}
	}
	for _, pr := range cat.f.AllProperties(class) {
		if _, ok := o.props[pr.Name]; ok {
			continue
		}
		if v, ok := st.s.behaviours.propertyDefault(class, pr.Name); ok {
			o.props[pr.Name] = v
		}
	}
	base := kms.OwnID(newUUID(), cat.modulePrefix(cl.Module), class)
	if o.parent != "" {
		o.id = kms.ChildID(o.parent, base)
		if p, ok := st.objects[o.parent]; ok {
			p.children = append(p.children, o.id)
		}
	} else {
		o.id = base
	}
	st.objects[o.id] = o
	st.order = append(st.order, o.id)
	return o
}
