// Package idl holds the facts of the Kurento IDL (modules core, elements and
// filters) that the SDK is built from: classes, their inheritance, properties,
// methods, events and complex types. It is shared by the code generator
// (internal/kmdgen, behind internal/cmd/kmdgen and cmd/kurento-gen) and the
// fake server (kurentotest). [Extend] adds the kmd.json of custom modules
// to these facts.
//
// The facts live in facts.json, which is embedded in the binary. That file is
// produced by internal/cmd/kmdimport from the official kmd.json files and
// keeps names, types, flags, defaults and inheritance only; it holds no
// documentation text. Regenerate it with internal/idl/import.sh.
//
// # Concurrency
//
// [Load] returns a shared value that must be treated as read-only; all
// methods of [Facts] only read and are safe for concurrent use.
package idl

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed facts.json
var factsJSON []byte

// TypeRef names the type of a parameter, property, field or return value.
//
// Name is one of the primitives String, int, int64, float, double, boolean,
// or the name of a class, struct or enum. In the IDL, a "[]" suffix makes a
// list (List) and a "<>" suffix a map from string keys (Map).
type TypeRef struct {
	Name string
	List bool
	Map  bool
}

// ParseTypeRef parses the IDL spelling of a type: "String", "Tag[]" or
// "String<>".
func ParseTypeRef(s string) (TypeRef, error) {
	var t TypeRef
	switch {
	case strings.HasSuffix(s, "[]"):
		t.List, s = true, strings.TrimSuffix(s, "[]")
	case strings.HasSuffix(s, "<>"):
		t.Map, s = true, strings.TrimSuffix(s, "<>")
	}
	if s == "" || strings.ContainsAny(s, "[]<> \t\n") {
		return TypeRef{}, fmt.Errorf("idl: malformed type %q", s)
	}
	t.Name = s
	return t, nil
}

// String returns the IDL spelling of t, the inverse of [ParseTypeRef].
func (t TypeRef) String() string {
	switch {
	case t.List:
		return t.Name + "[]"
	case t.Map:
		return t.Name + "<>"
	}
	return t.Name
}

// Elem returns the element type of a list or map, or t itself.
func (t TypeRef) Elem() TypeRef { return TypeRef{Name: t.Name} }

// IsPrimitive reports whether the (element) type is a JSON primitive.
func (t TypeRef) IsPrimitive() bool { return IsPrimitive(t.Name) }

// IsPrimitive reports whether name is one of the IDL primitive types.
func IsPrimitive(name string) bool {
	switch name {
	case "String", "int", "int64", "float", "double", "boolean":
		return true
	}
	return false
}

// MarshalJSON writes t in its IDL spelling.
func (t TypeRef) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON reads the IDL spelling of a type.
func (t *TypeRef) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseTypeRef(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Param is a method or constructor parameter, an event field or a complex
// type field. Default is the IDL default value as JSON, nil when none.
type Param struct {
	Name     string          `json:"name"`
	Type     TypeRef         `json:"type"`
	Optional bool            `json:"optional,omitempty"`
	Default  json.RawMessage `json:"default,omitempty"`
}

// Method is a remote method. Return is nil for void methods. A class
// constructor is a Method with an empty name.
type Method struct {
	Name   string   `json:"name,omitempty"`
	Params []Param  `json:"params"`
	Return *TypeRef `json:"return,omitempty"`
}

// Property is a remote property, read with get<Name> and, unless ReadOnly
// or Final, written with set<Name>. Final properties are fixed at creation.
type Property struct {
	Name     string  `json:"name"`
	Type     TypeRef `json:"type"`
	ReadOnly bool    `json:"readOnly,omitempty"`
	Final    bool    `json:"final,omitempty"`
}

// Writable reports whether the property has a setter.
func (p Property) Writable() bool { return !p.ReadOnly && !p.Final }

// Class is a remote class. Events lists the events declared on this class
// only; see [Facts.ClassEvents] for the inherited ones.
type Class struct {
	Name        string     `json:"name"`
	Module      string     `json:"module"`
	Extends     string     `json:"extends,omitempty"`
	Abstract    bool       `json:"abstract,omitempty"`
	Constructor *Method    `json:"constructor,omitempty"`
	Properties  []Property `json:"properties,omitempty"`
	Methods     []Method   `json:"methods,omitempty"`
	Events      []string   `json:"events,omitempty"`
}

// Event is an event type. Properties are the fields declared on this event
// only; see [Facts.EventFields] for the inherited ones.
type Event struct {
	Name       string  `json:"name"`
	Module     string  `json:"module"`
	Extends    string  `json:"extends,omitempty"`
	Properties []Param `json:"properties,omitempty"`
}

// ComplexType is a struct (Enum false, with Properties) or an enum (Enum
// true, with Values in IDL order).
type ComplexType struct {
	Name       string   `json:"name"`
	Module     string   `json:"module"`
	Extends    string   `json:"extends,omitempty"`
	Enum       bool     `json:"enum,omitempty"`
	Values     []string `json:"values,omitempty"`
	Properties []Param  `json:"properties,omitempty"`
}

// Module is one IDL module and its version.
type Module struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Facts is the whole IDL. Slices keep module order (core, elements,
// filters) and, within a module, the order of the kmd.json file. Obtain it
// from [Load], [Parse], [FromKMD] or [Extend]: the lookup methods rely on an index
// those build.
type Facts struct {
	Modules []Module      `json:"modules"`
	Classes []Class       `json:"classes"`
	Events  []Event       `json:"events"`
	Types   []ComplexType `json:"types"`

	classes map[string]int
	events  map[string]int
	types   map[string]int
}

var load = sync.OnceValue(func() *Facts {
	f, err := Parse(factsJSON)
	if err != nil {
		panic("idl: embedded facts.json: " + err.Error())
	}
	return f
})

// Load returns the embedded facts, parsed once. It panics only if the
// embedded file is corrupt, which the package tests rule out.
func Load() *Facts { return load() }

// Parse decodes and checks a facts file.
func Parse(data []byte) (*Facts, error) {
	var f Facts
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("idl: decode facts: %w", err)
	}
	if err := f.index(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Marshal encodes f as indented JSON in a stable form, ending in a newline.
func (f *Facts) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// index builds the lookup maps and checks that every name is unique and
// every reference resolves.
func (f *Facts) index() error {
	f.classes = make(map[string]int, len(f.Classes))
	f.events = make(map[string]int, len(f.Events))
	f.types = make(map[string]int, len(f.Types))
	seen := map[string]string{}
	add := func(kind, name string) error {
		if name == "" {
			return fmt.Errorf("idl: %s without a name", kind)
		}
		if prev, ok := seen[name]; ok {
			return fmt.Errorf("idl: %s %s also defined as %s", kind, name, prev)
		}
		seen[name] = kind
		return nil
	}
	for i, c := range f.Classes {
		if err := add("class", c.Name); err != nil {
			return err
		}
		f.classes[c.Name] = i
	}
	for i, e := range f.Events {
		if err := add("event", e.Name); err != nil {
			return err
		}
		f.events[e.Name] = i
	}
	for i, t := range f.Types {
		if err := add("type", t.Name); err != nil {
			return err
		}
		f.types[t.Name] = i
	}
	return f.check()
}

// check verifies that every reference resolves and every inheritance
// chain ends.
func (f *Facts) check() error {
	for i := range f.Classes {
		if err := f.checkClass(&f.Classes[i]); err != nil {
			return err
		}
	}
	for _, e := range f.Events {
		if _, ok := f.events[e.Extends]; e.Extends != "" && !ok {
			return fmt.Errorf("idl: event %s extends unknown %s", e.Name, e.Extends)
		}
		if err := f.checkParams(e.Name, e.Properties); err != nil {
			return err
		}
	}
	for _, t := range f.Types {
		if i, ok := f.types[t.Extends]; t.Extends != "" && (!ok || f.Types[i].Enum) {
			return fmt.Errorf("idl: type %s extends unknown struct %s", t.Name, t.Extends)
		}
		if err := f.checkParams(t.Name, t.Properties); err != nil {
			return err
		}
	}
	return f.checkAcyclic()
}

// known reports whether t is a primitive or a declared class or type.
func (f *Facts) known(t TypeRef) bool {
	_, c := f.classes[t.Name]
	_, ty := f.types[t.Name]
	return t.IsPrimitive() || c || ty
}

func (f *Facts) checkParams(where string, ps []Param) error {
	for _, p := range ps {
		if !f.known(p.Type) {
			return fmt.Errorf("idl: %s.%s: unknown type %s", where, p.Name, p.Type)
		}
	}
	return nil
}

func (f *Facts) checkClass(c *Class) error {
	if _, ok := f.classes[c.Extends]; c.Extends != "" && !ok {
		return fmt.Errorf("idl: class %s extends unknown %s", c.Name, c.Extends)
	}
	if c.Constructor != nil {
		if err := f.checkParams(c.Name, c.Constructor.Params); err != nil {
			return err
		}
	}
	for _, p := range c.Properties {
		if !f.known(p.Type) {
			return fmt.Errorf("idl: %s.%s: unknown type %s", c.Name, p.Name, p.Type)
		}
	}
	for _, m := range c.Methods {
		if err := f.checkParams(c.Name+"."+m.Name, m.Params); err != nil {
			return err
		}
		if m.Return != nil && !f.known(*m.Return) {
			return fmt.Errorf("idl: %s.%s: unknown return type %s", c.Name, m.Name, m.Return)
		}
	}
	for _, e := range c.Events {
		if _, ok := f.events[e]; !ok {
			return fmt.Errorf("idl: class %s declares unknown event %s", c.Name, e)
		}
	}
	return nil
}

// checkAcyclic rules out inheritance cycles, or the walks over parents
// would not end.
func (f *Facts) checkAcyclic() error {
	for _, c := range f.Classes {
		if err := acyclic(c.Name, func(n string) string { return f.Classes[f.classes[n]].Extends }); err != nil {
			return err
		}
	}
	for _, e := range f.Events {
		if err := acyclic(e.Name, func(n string) string { return f.Events[f.events[n]].Extends }); err != nil {
			return err
		}
	}
	for _, t := range f.Types {
		if err := acyclic(t.Name, func(n string) string { return f.Types[f.types[n]].Extends }); err != nil {
			return err
		}
	}
	return nil
}

func acyclic(name string, parent func(string) string) error {
	seen := map[string]bool{}
	for n := name; n != ""; n = parent(n) {
		if seen[n] {
			return fmt.Errorf("idl: inheritance cycle through %s", name)
		}
		seen[n] = true
	}
	return nil
}

// Class returns the class with the given name.
func (f *Facts) Class(name string) (*Class, bool) {
	i, ok := f.classes[name]
	if !ok {
		return nil, false
	}
	return &f.Classes[i], true
}

// Event returns the event with the given name.
func (f *Facts) Event(name string) (*Event, bool) {
	i, ok := f.events[name]
	if !ok {
		return nil, false
	}
	return &f.Events[i], true
}

// Type returns the complex type (struct or enum) with the given name.
func (f *Facts) Type(name string) (*ComplexType, bool) {
	i, ok := f.types[name]
	if !ok {
		return nil, false
	}
	return &f.Types[i], true
}

// Kind says what a type name denotes.
type Kind int

// Kinds of type names.
const (
	KindUnknown Kind = iota
	KindPrimitive
	KindClass
	KindStruct
	KindEnum
)

// Kind reports what the (element) type name denotes.
func (f *Facts) Kind(name string) Kind {
	if IsPrimitive(name) {
		return KindPrimitive
	}
	if _, ok := f.classes[name]; ok {
		return KindClass
	}
	if t, ok := f.Type(name); ok {
		if t.Enum {
			return KindEnum
		}
		return KindStruct
	}
	return KindUnknown
}

// Hierarchy returns the ancestors of class, nearest first, ending with
// MediaObject; nil for an unknown class or a root. It matches the
// "hierarchy" of a describe reply, without the "kurento." prefix.
func (f *Facts) Hierarchy(class string) []string {
	c, ok := f.Class(class)
	if !ok {
		return nil
	}
	var out []string
	for n := c.Extends; n != ""; {
		out = append(out, n)
		p, ok := f.Class(n)
		if !ok {
			break
		}
		n = p.Extends
	}
	return out
}

// IsA reports whether class is base or one of its descendants.
func (f *Facts) IsA(class, base string) bool {
	if _, ok := f.Class(class); !ok {
		return false
	}
	return class == base || slices.Contains(f.Hierarchy(class), base)
}

// ClassEvents returns the events a subscription on class can receive:
// declared on it or on an ancestor, sorted by name.
func (f *Facts) ClassEvents(class string) []string {
	c, ok := f.Class(class)
	if !ok {
		return nil
	}
	out := slices.Clone(c.Events)
	for _, n := range f.Hierarchy(class) {
		p, _ := f.Class(n)
		out = append(out, p.Events...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// AllProperties returns the properties of class: its own first, then those
// of each ancestor, nearest first.
func (f *Facts) AllProperties(class string) []Property {
	c, ok := f.Class(class)
	if !ok {
		return nil
	}
	out := slices.Clone(c.Properties)
	for _, n := range f.Hierarchy(class) {
		p, _ := f.Class(n)
		out = append(out, p.Properties...)
	}
	return out
}

// AllMethods returns the methods of class: its own first, then those of each
// ancestor, nearest first. A method redeclared lower down hides the
// ancestor's method of the same name.
func (f *Facts) AllMethods(class string) []Method {
	c, ok := f.Class(class)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []Method
	add := func(ms []Method) {
		for _, m := range ms {
			if !seen[m.Name] {
				seen[m.Name] = true
				out = append(out, m)
			}
		}
	}
	add(c.Methods)
	for _, n := range f.Hierarchy(class) {
		p, _ := f.Class(n)
		add(p.Methods)
	}
	return out
}

// EventFields returns every field of an event's data: the root's first
// (RaiseBase: source, timestampMillis, tags), then Media's (type), down to
// the event's own fields.
func (f *Facts) EventFields(event string) []Param {
	var chain []*Event
	for n := event; n != ""; {
		e, ok := f.Event(n)
		if !ok {
			break
		}
		chain = append(chain, e)
		n = e.Extends
	}
	var out []Param
	for i := len(chain) - 1; i >= 0; i-- {
		out = append(out, chain[i].Properties...)
	}
	return out
}

// EventChain returns the event and its ancestors, root first, e.g.
// RaiseBase, Media, IceCandidateFound.
func (f *Facts) EventChain(event string) []string {
	var out []string
	for n := event; n != ""; {
		e, ok := f.Event(n)
		if !ok {
			break
		}
		out = append(out, n)
		n = e.Extends
	}
	slices.Reverse(out)
	return out
}

// TypeFields returns every field of a struct: the root's first, down to the
// struct's own. KMS writes and expects inherited fields too.
func (f *Facts) TypeFields(name string) []Param {
	var chain []*ComplexType
	for n := name; n != ""; {
		t, ok := f.Type(n)
		if !ok {
			break
		}
		chain = append(chain, t)
		n = t.Extends
	}
	var out []Param
	for i := len(chain) - 1; i >= 0; i-- {
		out = append(out, chain[i].Properties...)
	}
	return out
}

// SubscribableEvents returns the events that some class declares, sorted by
// name. Bases such as RaiseBase and Media are left out.
func (f *Facts) SubscribableEvents() []string {
	var out []string
	for _, c := range f.Classes {
		out = append(out, c.Events...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Declarers returns the classes that declare event, in facts order.
func (f *Facts) Declarers(event string) []string {
	var out []string
	for _, c := range f.Classes {
		if slices.Contains(c.Events, event) {
			out = append(out, c.Name)
		}
	}
	return out
}

// Factories returns the classes of module that can be created (not
// abstract), sorted by name, as listed by ServerManager getInfo.
func (f *Facts) Factories(module string) []string {
	var out []string
	for _, c := range f.Classes {
		if c.Module == module && !c.Abstract {
			out = append(out, c.Name)
		}
	}
	slices.Sort(out)
	return out
}
