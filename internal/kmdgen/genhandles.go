package kmdgen

import (
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/internal/kms"
)

// This file computes the view model of the typed handle packages
// (element, pipeline, endpoint, hub, filter, and the package of a custom
// module): plain structs that templates/handles.tmpl renders. Every type
// name the code uses is qualified through hctx, which records the import
// it needs, so the imports of a file are known before it is rendered.

// The typed handle packages, lowest first. A package may import the ones
// on a lower level only; endpoint, hub and filter are siblings.
var handleLevels = map[string]int{
	"element":  0,
	"pipeline": 1,
	"endpoint": 2,
	"hub":      2,
	"filter":   2,
}

const modulePath = "github.com/gokurento/kurento/"

// handlePackage says which package holds the handle of class c.
func handlePackage(f *idl.Facts, c string) string {
	switch {
	case c == "MediaObject" || c == "MediaElement":
		return "element"
	case c == "MediaPipeline" || c == "ServerManager":
		return "pipeline"
	case f.IsA(c, "Endpoint"):
		return "endpoint"
	case f.IsA(c, "Hub") || f.IsA(c, "HubPort"):
		return "hub"
	}
	// Filters, PassThrough and classes of other modules.
	return "filter"
}

// importable reports whether package from may use package to.
func importable(from, to string) bool {
	return from == to || handleLevels[to] < handleLevels[from]
}

// structAdapters turn a struct holding object ids into a handle-level
// struct, in the package that declares it: name of the Go type and of the
// hand-written function that converts a list.
var structAdapters = map[string]struct{ Pkg, Type, List string }{
	"ElementConnectionData": {"element", "Connection", "connectionsFrom"},
}

// imports is the set of import paths one generated file uses.
type imports map[string]bool

// lists splits the set into standard library and module paths, sorted.
func (im imports) lists() (std, mod []string) {
	for p := range im {
		if strings.HasPrefix(p, modulePath) {
			mod = append(mod, p)
		} else {
			std = append(std, p)
		}
	}
	slices.Sort(std)
	slices.Sort(mod)
	return std, mod
}

// hctx is the context of one generated package.
type hctx struct {
	f     *idl.Facts
	d     *Docs
	pkg   string
	clash map[string]bool // methods whose options struct takes the class name
	// view is the package the code is written in when it differs from
	// pkg: a subclass in view redeclaring a member of a class of pkg.
	view string
	// custom is the package of a custom module (cmd/kurento-gen), which
	// holds the classes, types and events of the modules in local and may
	// import every built-in package; empty for the built-in packages.
	custom string
	local  map[string]bool
	imp    imports // the imports of the file being built
}

// use records that the code uses package p of this module.
func (h hctx) use(p string) {
	if h.imp != nil {
		h.imp[modulePath+p] = true
	}
}

// std records that the code uses standard package path.
func (h hctx) std(path string) {
	if h.imp != nil {
		h.imp[path] = true
	}
}

// pkgOf says which package holds the handle of class c.
func (h hctx) pkgOf(c string) string {
	if cl, ok := h.f.Class(c); ok && h.local[cl.Module] {
		return h.custom
	}
	return handlePackage(h.f, c)
}

// importable reports whether package from may use package to.
func (h hctx) importable(from, to string) bool {
	if h.custom != "" && from == h.custom {
		return true
	}
	return importable(from, to)
}

// eq is the qualifier of event name: "event." for the built-in ones,
// none for those of a custom module.
func (h hctx) eq(name string) string {
	if e, ok := h.f.Event(name); ok && h.local[e.Module] {
		return ""
	}
	h.use("event")
	return "event."
}

// tq is the qualifier of a struct or enum name: "types." for the
// built-in ones, none for those of a custom module, declared in its own
// package, and for every other kind of name.
func (h hctx) tq(name string) string {
	if k := h.f.Kind(name); k != idl.KindStruct && k != idl.KindEnum {
		return ""
	}
	if t, ok := h.f.Type(name); ok && h.local[t.Module] {
		return ""
	}
	h.use("types")
	return "types."
}

// qual returns the qualifier of handle package p used from the current
// package, recording the import.
func (h hctx) qual(p string) string {
	if p == h.pkg && h.view == "" || p == h.view {
		return ""
	}
	h.use(p)
	return p + "."
}

// classesOf lists the classes whose handles package pkg holds.
func (h hctx) classesOf(pkg string) []idl.Class {
	var out []idl.Class
	for _, c := range h.f.Classes {
		if h.pkgOf(c.Name) == pkg {
			out = append(out, c)
		}
	}
	return out
}

// handleOf resolves the handle type of class c as seen from this package:
// c itself, or its nearest ancestor whose package may be imported.
func (h hctx) handleOf(c string) (pkg, name string) {
	for n := c; n != ""; {
		p := h.pkgOf(n)
		if h.importable(h.pkg, p) {
			return p, n
		}
		cl, _ := h.f.Class(n)
		n = cl.Extends
	}
	return "", ""
}

// hasSubclasses reports whether some class extends c.
func (h hctx) hasSubclasses(c string) bool {
	return slices.ContainsFunc(h.f.Classes, func(x idl.Class) bool { return x.Extends == c })
}

// paramRefType is the Go type of an argument referencing class c: the
// handle pointer for a leaf class, else the class's Handle interface.
func (h hctx) paramRefType(c string) (string, error) {
	p, n := h.handleOf(c)
	if p == "" {
		return "", fmt.Errorf("no importable handle for %s", c)
	}
	if n == c && !h.hasSubclasses(c) {
		return "*" + h.qual(p) + n, nil
	}
	return h.qual(p) + n + "Handle", nil
}

// polymorphic reports whether struct t has subtypes, so that its values
// decode through types.DecodeComplex.
func (h hctx) polymorphic(t string) bool {
	return slices.ContainsFunc(h.f.Types, func(x idl.ComplexType) bool { return x.Extends == t })
}

// valueType is the Go type of a value of t as the API shows it.
func (h hctx) valueType(t idl.TypeRef) (string, error) {
	elem := ""
	switch h.f.Kind(t.Name) {
	case idl.KindClass:
		p, n := h.handleOf(t.Name)
		if p == "" {
			return "", fmt.Errorf("no importable handle for %s", t.Name)
		}
		elem = "*" + h.qual(p) + n
	case idl.KindStruct:
		if a, ok := structAdapters[t.Name]; ok && a.Pkg == h.pkg && t.List {
			return "[]" + h.qual(a.Pkg) + a.Type, nil
		}
		if h.polymorphic(t.Name) {
			h.use("types")
			elem = "types.Complex"
		} else {
			elem = h.tq(t.Name) + t.Name
		}
	default:
		return goType(h.f, t, h.tq(t.Name), false)
	}
	switch {
	case t.List:
		return "[]" + elem, nil
	case t.Map:
		return "map[string]" + elem, nil
	}
	return elem, nil
}

// wireType is the Go type a returned value of t is first decoded into.
func (h hctx) wireType(t idl.TypeRef) (string, error) {
	switch h.f.Kind(t.Name) {
	case idl.KindClass:
		return goType(h.f, t, "", false) // ids
	case idl.KindStruct:
		if h.polymorphic(t.Name) {
			h.std("encoding/json")
			switch {
			case t.List:
				return "[]json.RawMessage", nil
			case t.Map:
				return "map[string]json.RawMessage", nil
			}
			return "json.RawMessage", nil
		}
	default:
	}
	return goType(h.f, t, h.tq(t.Name), false)
}

// zero is the zero value of the API type of t.
func (h hctx) zero(t idl.TypeRef) string {
	if t.List || t.Map {
		return "nil"
	}
	switch h.f.Kind(t.Name) {
	case idl.KindClass:
		return "nil"
	case idl.KindStruct:
		if h.polymorphic(t.Name) {
			return "nil"
		}
		return h.tq(t.Name) + t.Name + "{}"
	case idl.KindEnum:
		return `""`
	default:
	}
	switch t.Name {
	case "String":
		return `""`
	case "boolean":
		return "false"
	}
	return "0"
}

// reserved are the identifiers generated code uses besides parameters.
var reserved = map[string]bool{
	"ctx": true, "h": true, "o": true, "err": true, "params": true, "res": true, "opts": true,
	"cr": true, "out": true, "raw": true, "k": true,
	"context": true, "fmt": true, "json": true, "reflect": true, "client": true, "types": true,
	"event": true, "element": true, "pipeline": true,
}

// initialisms are the words Go spells in capitals.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true,
	"GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true,
	"QPS": true, "RAM": true, "RPC": true, "SDP": true, "SQL": true, "SSH": true, "TCP": true,
	"TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "URI": true, "URL": true,
	"UUID": true, "XML": true,
}

// goLocal spells IDL parameter name p the Go way for a local name:
// channelId -> channelID, uri stays uri. The first word keeps its case.
func goLocal(p string) string {
	var words []string
	start := 0
	for i := 1; i < len(p); i++ {
		if p[i] >= 'A' && p[i] <= 'Z' && p[i-1] >= 'a' && p[i-1] <= 'z' {
			words = append(words, p[start:i])
			start = i
		}
	}
	words = append(words, p[start:])
	for i := 1; i < len(words); i++ {
		if u := strings.ToUpper(words[i]); initialisms[u] {
			words[i] = u
		}
	}
	return strings.Join(words, "")
}

// argName is the Go name of parameter p.
func argName(p string) string {
	n := goLocal(p)
	if token.IsKeyword(n) || reserved[n] {
		return n + "Arg"
	}
	return n
}

// eventMethod is the name of the subscription method of event e: On<e>,
// without doubling an "On" the event name starts with (OnKeySoftLimit
// gives OnKeySoftLimit, not OnOnKeySoftLimit).
func eventMethod(e string) string {
	if rest, ok := strings.CutPrefix(e, "On"); ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z' {
		return e
	}
	return "On" + e
}

// optionsName is the name of the options struct of method m of class c.
func optionsName(c, m string, clash bool) string {
	if clash {
		return c + exported(m) + "Options"
	}
	return exported(m) + "Options"
}

// optionClashes lists the methods with optional params that several
// classes of the package declare (or whose options struct would take the
// name of a constructor's); their options structs get the class name.
func optionClashes(classes []idl.Class) map[string]bool {
	count := map[string]int{}
	ctors := map[string]bool{}
	for _, c := range classes {
		if c.Constructor != nil && !c.Abstract {
			ctors[c.Name+"Options"] = true
		}
		for _, m := range c.Methods {
			if hasOptional(m.Params) {
				count[m.Name]++
			}
		}
	}
	out := map[string]bool{}
	for n, k := range count {
		if k > 1 || ctors[optionsName("", n, false)] {
			out[n] = true
		}
	}
	return out
}

func hasOptional(ps []idl.Param) bool {
	return slices.ContainsFunc(ps, func(p idl.Param) bool { return p.Optional })
}

// checkNames fails when two members of c (own or inherited) get the same
// Go name.
func (h hctx) checkNames(c idl.Class) error {
	seen := map[string]string{"ID": "accessor", "Object": "accessor", "Release": "accessor"}
	add := func(n, what string) error {
		if prev, ok := seen[n]; ok && prev != what {
			return fmt.Errorf("%s and %s both map to %s", prev, what, n)
		}
		seen[n] = what
		return nil
	}
	for _, p := range h.f.AllProperties(c.Name) {
		get, set := accessors(p)
		if err := add(get.goName, "property "+p.Name); err != nil {
			return err
		}
		if set != nil {
			if err := add(set.goName, "property "+p.Name); err != nil {
				return err
			}
		}
	}
	for _, m := range h.f.AllMethods(c.Name) {
		if err := add(exported(m.Name), "method "+m.Name); err != nil {
			return err
		}
	}
	for _, e := range h.f.ClassEvents(c.Name) {
		if err := add(eventMethod(e), "event "+e); err != nil {
			return err
		}
	}
	return add("Events", "the ordered event stream")
}

// member is one invoke method of a handle: the IDL operation and its Go
// name; prop is set for a property accessor.
type member struct {
	m      idl.Method
	goName string
	prop   *idl.Property
	setter bool
}

// accessors are the getter and, when writable, the setter of p.
func accessors(p idl.Property) (get member, set *member) {
	g := idl.Method{Name: kms.Getter(p.Name), Return: &p.Type}
	get = member{m: g, goName: exported(g.Name), prop: &p}
	if !p.Writable() {
		return get, nil
	}
	s := idl.Method{Name: kms.Setter(p.Name), Params: []idl.Param{{Name: p.Name, Type: p.Type}}}
	return get, &member{m: s, goName: exported(s.Name), prop: &p, setter: true}
}

// members lists the invoke methods of class c itself: its property
// accessors, then its methods.
func members(c idl.Class) []member {
	var out []member
	for _, p := range c.Properties {
		get, set := accessors(p)
		out = append(out, get)
		if set != nil {
			out = append(out, *set)
		}
	}
	for _, m := range c.Methods {
		out = append(out, member{m: m, goName: exported(m.Name)})
	}
	return out
}

// joinAnd lists names as "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
