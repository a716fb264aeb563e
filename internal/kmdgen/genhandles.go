package kmdgen

import (
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strings"

	"github.com/gokurento/kurento/internal/idl"
)

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

var handleGenerators = func() map[string]generator {
	m := map[string]generator{}
	for pkg := range handleLevels {
		m[pkg] = func(f *idl.Facts) ([]File, error) { return genHandles(f, pkg) }
	}
	return m
}()

func init() {
	for pkg, g := range handleGenerators {
		generators[pkg] = g
	}
}

// hctx is the context of one generated package.
type hctx struct {
	f     *idl.Facts
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
	return "event."
}

// tq is the qualifier of struct or enum name: "types." for the built-in
// ones, none for those of a custom module, declared in its own package.
func (h hctx) tq(name string) string {
	if t, ok := h.f.Type(name); ok && h.local[t.Module] {
		return ""
	}
	return "types."
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

type handleFile struct {
	Std, Mod []string // import paths: standard library, this module
	Body     string
}

func genHandles(f *idl.Facts, pkg string) ([]File, error) {
	h := hctx{f: f, pkg: pkg}
	classes := h.classesOf(pkg)
	h.clash = optionClashes(classes)
	var parts []part
	for i, cs := range byModule(f, classes, func(c idl.Class) string { return c.Module }) {
		if len(cs) == 0 {
			continue
		}
		var b strings.Builder
		for _, c := range cs {
			if err := h.class(&b, c); err != nil {
				return nil, fmt.Errorf("class %s: %w", c.Name, err)
			}
		}
		b.WriteString("\nfunc init() {\n")
		for _, c := range cs {
			fmt.Fprintf(&b, "\tclient.RegisterType(%q, func(o *client.Object) any { return %sFromObject(o) })\n", c.Name, c.Name)
		}
		b.WriteString("}\n")
		parts = append(parts, part{f.Modules[i].Name, b.String()})
	}
	return handleFiles("handles.tmpl", pkg, parts, "")
}

// handleFiles renders one file per part with tmpl. The first file also
// gets the helpers any part uses and the trailer; each file's imports are
// those its body names.
func handleFiles(tmpl, pkg string, parts []part, trailer string) ([]File, error) {
	var all strings.Builder
	for _, p := range parts {
		all.WriteString(p.body)
	}
	var files []File
	for i, p := range parts {
		body := p.body
		if i == 0 {
			body = helpersFor(all.String()) + body + trailer
		}
		data := handleFile{Body: body}
		for _, path := range importsOf(body) {
			if strings.HasPrefix(path, modulePath) {
				data.Mod = append(data.Mod, path)
			} else {
				data.Std = append(data.Std, path)
			}
		}
		file, err := render(tmpl, pkg, p.module, data)
		if err != nil {
			return nil, err
		}
		files = append(files, file)
	}
	return files, nil
}

// helpersFor returns the helpers the package's code calls, for its first
// file.
func helpersFor(code string) string {
	var b strings.Builder
	used := func(name string) bool { return strings.Contains(code, name+"(") }
	for _, hp := range helpers {
		if used(hp.name) || (hp.name == "isNil" && used("refArg")) {
			b.WriteString(hp.src)
		}
	}
	return b.String()
}

// helpers are the unexported functions generated code shares within a
// package.
var helpers = []struct{ name, src string }{
	{"argError", `
// argError reports an argument refused before anything was sent.
func argError(o *client.Object, op, method string, err error) error {
	id := ""
	if o != nil {
		id = o.ID()
	}
	return &client.OpError{Method: op, Operation: method, ObjectID: id, Err: fmt.Errorf("%w: %w", client.ErrInvalidArgument, err)}
}
`},
	{"decodeError", `
// decodeError reports a returned value that did not decode: the server
// answered, so the failure is not local.
func decodeError(o *client.Object, method string, err error) error {
	return &client.OpError{Method: "invoke", Operation: method, ObjectID: o.ID(), Err: client.UnusableAnswer(fmt.Errorf("decoding the returned value: %w", err))}
}
`},
	{"isNil", `
// isNil reports whether v is nil or a typed nil pointer.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Pointer && r.IsNil()
}
`},
	{"refArg", `
// refArg returns the object behind the handle given as argument name. It
// must belong to the same client as self (when self is not nil).
func refArg(self *client.Object, name string, h interface{ Object() *client.Object }) (*client.Object, error) {
	if isNil(h) || h.Object() == nil {
		return nil, fmt.Errorf("%s: nil handle", name)
	}
	o := h.Object()
	if self != nil && o.Client() != self.Client() {
		return nil, fmt.Errorf("%s: handle of another client", name)
	}
	return o, nil
}
`},
}

var qualRE = regexp.MustCompile(`\b(context|fmt|json|reflect|client|types|event|element|pipeline|endpoint|hub|filter)\.[A-Za-z]`)

// importsOf lists the import paths body uses, sorted by gofmt later.
func importsOf(body string) []string {
	paths := map[string]string{
		"context":  "context",
		"fmt":      "fmt",
		"json":     "encoding/json",
		"reflect":  "reflect",
		"client":   modulePath + "client",
		"types":    modulePath + "types",
		"event":    modulePath + "event",
		"element":  modulePath + "element",
		"pipeline": modulePath + "pipeline",
		"endpoint": modulePath + "endpoint",
		"hub":      modulePath + "hub",
		"filter":   modulePath + "filter",
	}
	seen := map[string]bool{}
	var out []string
	// Comments do not count: strip them first.
	var code strings.Builder
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		code.WriteString(line)
		code.WriteByte('\n')
	}
	for _, m := range qualRE.FindAllStringSubmatch(code.String(), -1) {
		if p := paths[m[1]]; !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		sa, sb := !strings.Contains(a, "."), !strings.Contains(b, ".")
		if sa != sb {
			if sa {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// qual returns the qualifier of package p used from the current package.
func (h hctx) qual(p string) string {
	if p == h.pkg && h.view == "" || p == h.view {
		return ""
	}
	return p + "."
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

var reserved = map[string]bool{
	"ctx": true, "h": true, "o": true, "err": true, "params": true, "res": true, "opts": true,
	"cr": true, "out": true, "raw": true, "k": true,
	"context": true, "fmt": true, "json": true, "reflect": true, "client": true, "types": true,
	"event": true, "element": true, "pipeline": true,
}

// argName is the Go name of parameter p.
func argName(p string) string {
	if token.IsKeyword(p) || reserved[p] {
		return p + "Arg"
	}
	return p
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

// class writes the handle type of c and its members.
func (h hctx) class(b *strings.Builder, c idl.Class) error {
	if err := h.checkNames(c); err != nil {
		return err
	}
	hier := h.f.Hierarchy(c.Name)
	kind := "a class"
	if c.Abstract {
		kind = "an abstract class"
	}
	doc := fmt.Sprintf("%s is the handle of %s, %s of the %s module.", c.Name, article(c.Name)+" "+c.Name, kind, c.Module)
	if len(hier) > 0 {
		doc += fmt.Sprintf(" It embeds the handle of %s, so it has the methods of %s.", hier[0], strings.Join(hier, ", "))
	}
	if len(hier) > 0 {
		doc += " It redeclares the inherited methods, so that they are listed here and fail on a nil handle " +
			"like its own, with an error matching client.ErrInvalidArgument, rather than panicking."
	}
	if c.Abstract {
		doc += " The server never creates this class itself; handles of it stand for objects of a subclass."
	}
	doc += " A handle only holds the object reference: it is safe for concurrent use and every call goes to the server."
	fmt.Fprintf(b, "\n%s\ntype %s struct {\n", comment(0, doc), c.Name)
	if c.Extends == "" {
		b.WriteString("\to *client.Object\n")
	} else {
		p, n := h.handleOf(c.Extends)
		if n != c.Extends {
			return fmt.Errorf("parent %s lives in a package %s may not import", c.Extends, h.pkg)
		}
		fmt.Fprintf(b, "\t%s%s\n", h.qual(p), n)
	}
	b.WriteString("}\n")

	// FromObject.
	fmt.Fprintf(b, "\n%s\nfunc %sFromObject(o *client.Object) *%s {\n", comment(0, fmt.Sprintf(
		"%sFromObject wraps o in %s %s handle. Nothing is sent and the class of o is not checked; "+
			"use [client.Client.Lookup] to learn the class of an unknown id.", c.Name, article(c.Name), c.Name)), c.Name, c.Name)
	if c.Extends == "" {
		fmt.Fprintf(b, "\treturn &%s{o: o}\n}\n", c.Name)
	} else {
		p, n := h.handleOf(c.Extends)
		fmt.Fprintf(b, "\treturn &%s{%s: *%s%sFromObject(o)}\n}\n", c.Name, n, h.qual(p), n)
	}

	if c.Extends == "" {
		h.rootMembers(b, c.Name)
	} else {
		p, n := h.handleOf(c.Extends)
		h.nilSafeMembers(b, c.Name, p, n)
	}
	if h.hasSubclasses(c.Name) {
		fmt.Fprintf(b, "\n%s\ntype %sHandle interface {\n\tObject() *client.Object\n\tis%s()\n}\n",
			comment(0, fmt.Sprintf("%sHandle is implemented by the handle of %s and of each of its subclasses "+
				"(they embed it). Arguments that reference %s %s accept it.", c.Name, c.Name, article(c.Name), c.Name)),
			c.Name, c.Name)
		fmt.Fprintf(b, "\nfunc (*%s) is%s() {}\n", c.Name, c.Name)
	}

	if c.Constructor != nil && !c.Abstract {
		if err := h.constructor(b, c); err != nil {
			return err
		}
	}
	for _, m := range members(c) {
		if err := h.method(b, c, m.m, m.goName, m.what); err != nil {
			return err
		}
	}
	for _, e := range c.Events {
		doc := fmt.Sprintf("On%s %s Events arrive in the "+
			"order the server sent them; channels of other event types are independent and may run ahead or "+
			"behind (Events keeps the order across types). The channel closes when ctx ends, when the object is "+
			"released through this client, when the session is lost, when the client closes or when its reader "+
			"falls behind by the event buffer; client.SubscribeWith also tells which. It fails for an object still "+
			"pending in a transaction.", e, eventWhat(e))
		q := h.eq(e)
		fmt.Fprintf(b, "\n%s\nfunc (h *%s) On%s(ctx context.Context) (<-chan %s%s, error) {\n"+
			"\treturn client.Subscribe(ctx, h.Object(), %q, %sDecode%s)\n}\n",
			comment(0, doc), c.Name, e, q, e, e, q, e)
	}
	if all := h.f.ClassEvents(c.Name); len(all) > 0 {
		doc := fmt.Sprintf("Events subscribes to the events of the given types of the object (one subscribe request "+
			"per type) and returns one stream delivering them in exactly the order the server sent them, once the "+
			"server has acknowledged every type, so events caused by later calls are not missed. Each value is the "+
			"event's struct from package event (select with a type switch), or an event.Raw for an event that did "+
			"not decode. %s %s raises %s. Separate On<Event> channels do not keep the order between types; this "+
			"stream does. See client.SubscribeEvents for the details and client.Subscription for when and why the "+
			"stream ends. It fails for an object still pending in a transaction.",
			strings.ToUpper(article(c.Name)[:1])+article(c.Name)[1:], c.Name, joinAnd(all))
		if h.custom != "" {
			doc = strings.Replace(doc, "the event's struct from package event (select with a type switch)",
				"the event's struct (select with a type switch), from package event or, for this module's events "+
					"when the client was given Module, from this package", 1)
		}
		fmt.Fprintf(b, "\n%s\nfunc (h *%s) Events(ctx context.Context, types ...string) (*client.Subscription[event.Event], error) {\n"+
			"\treturn client.SubscribeEvents(ctx, h.Object(), types)\n}\n",
			comment(0, doc), c.Name)
	}
	if c.Extends != "" {
		return h.inherited(b, c)
	}
	return nil
}

// joinAnd lists names as "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// rootMembers writes the local accessors of the root class.
func (h hctx) rootMembers(b *strings.Builder, c string) {
	fmt.Fprintf(b, `
// Object returns the object reference behind the handle, for calls the
// typed API does not cover.
func (h *%[1]s) Object() *client.Object {
	if h == nil {
		return nil
	}
	return h.o
}

// ID returns the object id ("newref:N" while pending in a transaction, ""
// for a nil handle). Nothing is sent.
func (h *%[1]s) ID() string {
	if h == nil || h.o == nil {
		return ""
	}
	return h.o.ID()
}

// Release destroys the object on the server, with everything it contains,
// and closes the event channels of its subscriptions. Releasing twice
// succeeds. For an object pending in a transaction it is queued there.
func (h *%[1]s) Release(ctx context.Context) error {
	return h.Object().Release(ctx)
}
`, c)
}

// nilSafeMembers redeclares the accessors of a subclass handle: promoted
// through the embedded parent they would dereference a nil handle and
// panic, where a nil handle must fail like a nil argument.
func (h hctx) nilSafeMembers(b *strings.Builder, c, pkgOfParent, parent string) {
	fmt.Fprintf(b, `
// Object returns the object reference behind the handle (nil for a nil
// handle), for calls the typed API does not cover.
func (h *%[1]s) Object() *client.Object {
	if h == nil {
		return nil
	}
	return h.%[2]s.Object()
}

// ID returns the object id ("newref:N" while pending in a transaction, ""
// for a nil handle). Nothing is sent.
func (h *%[1]s) ID() string {
	if h == nil {
		return ""
	}
	return h.%[2]s.ID()
}

// Release destroys the object on the server, with everything it contains,
// and closes the event channels of its subscriptions. Releasing twice
// succeeds; a nil handle fails with client.ErrInvalidArgument. For an
// object pending in a transaction it is queued there.
func (h *%[1]s) Release(ctx context.Context) error {
	return h.Object().Release(ctx)
}

// embedded returns the embedded parent handle, nil for a nil handle: the
// redeclared inherited methods call it, so that they fail on a nil handle
// instead of panicking.
func (h *%[1]s) embedded() *%[3]s {
	if h == nil {
		return nil
	}
	return &h.%[2]s
}
`, c, parent, h.qual(pkgOfParent)+parent)
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
		if err := add("Get"+exported(p.Name), "property "+p.Name); err != nil {
			return err
		}
		if p.Writable() {
			if err := add("Set"+exported(p.Name), "property "+p.Name); err != nil {
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
		if err := add("On"+e, "event "+e); err != nil {
			return err
		}
	}
	if err := add("Events", "the ordered event stream"); err != nil {
		return err
	}
	return nil
}

// member is one invoke method of a handle: the IDL operation, its Go name
// and what completes its doc sentence (see whatSentence).
type member struct {
	m      idl.Method
	goName string
	what   string
}

// accessors are the getter and, when writable, the setter of p.
func accessors(p idl.Property) (get member, set *member) {
	flag := ""
	switch {
	case p.Final:
		flag = " The property is fixed when the object is created, so it has no setter."
	case p.ReadOnly:
		flag = " The property is read-only."
	}
	g := idl.Method{Name: "get" + exported(p.Name), Return: &p.Type}
	get = member{g, "Get" + exported(p.Name), fmt.Sprintf("reads the %q property (invoke %q)", p.Name, g.Name) + "." + flag + " //"}
	if !p.Writable() {
		return get, nil
	}
	s := idl.Method{Name: "set" + exported(p.Name), Params: []idl.Param{{Name: p.Name, Type: p.Type}}}
	return get, &member{s, "Set" + exported(p.Name), fmt.Sprintf("writes the %q property (invoke %q with {%q: value})", p.Name, s.Name, p.Name)}
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
		out = append(out, member{m, exported(m.Name), fmt.Sprintf("invokes %q", m.Name)})
	}
	return out
}

// inherited writes, for subclass c, a redeclaration of every invoke
// method and event subscription of its ancestors. Promoted through the
// embedded parent they would dereference a nil handle and panic, and go
// doc would not list them; each one calls the parent's through embedded,
// which is nil for a nil handle, so it fails as the declaring class's own
// method does on a nil handle.
func (h hctx) inherited(b *strings.Builder, c idl.Class) error {
	for _, an := range h.f.Hierarchy(c.Name) {
		a, _ := h.f.Class(an)
		apkg := h.pkgOf(an)
		ha := hctx{f: h.f, pkg: apkg, view: h.pkg, custom: h.custom, local: h.local}
		if apkg == h.pkg {
			ha.view = ""
		}
		ha.clash = optionClashes(ha.classesOf(apkg))
		link := h.qual(apkg) + an
		for _, m := range members(*a) {
			if err := ha.forward(b, c.Name, a.Name, link, m); err != nil {
				return fmt.Errorf("inherited %s.%s: %w", an, m.goName, err)
			}
		}
		for _, e := range a.Events {
			fmt.Fprintf(b, "\n%s\nfunc (h *%s) On%s(ctx context.Context) (<-chan %s%s, error) {\n\treturn h.embedded().On%s(ctx)\n}\n",
				comment(0, fmt.Sprintf("On%s is [%s.On%s], which %s", e, link, e, eventWhat(e))), c.Name, e, h.eq(e), e, e)
		}
	}
	return nil
}

// eventWhat completes the first doc sentence of On<e>.
func eventWhat(e string) string {
	return fmt.Sprintf("subscribes to the %s events of the object (a subscribe request) and returns once "+
		"the server has acknowledged it, so events caused by later calls are not missed.", e)
}

// forward writes the redeclaration on class c of member m of class a
// (h is a's package as seen from c's); link names a's handle from c's
// package.
func (h hctx) forward(b *strings.Builder, c, a, link string, m member) error {
	req, err := h.args(m.m.Params, false)
	if err != nil {
		return err
	}
	opt, err := h.args(m.m.Params, true)
	if err != nil {
		return err
	}
	sig := []string{"ctx context.Context"}
	call := []string{"ctx"}
	for _, x := range req {
		sig = append(sig, x.goName+" "+x.apiTyp)
		call = append(call, x.goName)
	}
	if len(opt) > 0 {
		sig = append(sig, "opts *"+h.qual(h.pkg)+optionsName(a, m.m.Name, h.clash[m.m.Name]))
		call = append(call, "opts")
	}
	results := "error"
	if m.m.Return != nil {
		t, err := h.valueType(*m.m.Return)
		if err != nil {
			return err
		}
		results = "(" + t + ", error)"
	}
	doc := fmt.Sprintf("%s is [%s.%s], which %s", m.goName, link, m.goName, whatSentence(m.what))
	fmt.Fprintf(b, "\n%s\nfunc (h *%s) %s(%s) %s {\n\treturn h.embedded().%s(%s)\n}\n",
		comment(0, doc), c, m.goName, strings.Join(sig, ", "), results, m.goName, strings.Join(call, ", "))
	return nil
}

// arg is one parameter as the generated code handles it.
type arg struct {
	p      idl.Param
	goName string // local variable, or opts.Field
	apiTyp string
	field  string // field of the params struct
	fTyp   string // its type
	tag    string
	ref    bool
}

func (h hctx) args(ps []idl.Param, inOpts bool) ([]arg, error) {
	var out []arg
	for _, p := range ps {
		if p.Optional != inOpts {
			continue
		}
		a := arg{p: p, field: exported(p.Name)}
		if inOpts {
			a.goName = "opts." + exported(p.Name)
		} else {
			a.goName = argName(p.Name)
		}
		tag := p.Name
		if p.Optional {
			tag += ",omitempty"
		}
		a.tag = fmt.Sprintf("`json:%q`", tag)
		var err error
		if h.f.Kind(p.Type.Name) == idl.KindClass {
			if p.Type.List || p.Type.Map {
				return nil, fmt.Errorf("param %s: lists of references are not supported", p.Name)
			}
			a.ref = true
			a.fTyp = "*client.Object"
			a.apiTyp, err = h.paramRefType(p.Type.Name)
		} else {
			a.apiTyp, err = goType(h.f, p.Type, h.tq(p.Type.Name), p.Optional)
			a.fTyp = a.apiTyp
		}
		if err != nil {
			return nil, fmt.Errorf("param %s: %w", p.Name, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// paramDoc describes one parameter.
func (h hctx) paramDoc(a arg) string {
	s := fmt.Sprintf("%s is sent as %q, %s.", strings.TrimPrefix(a.goName, "opts."), a.p.Name, describeType(h.f, a.p.Type))
	if a.ref {
		s = fmt.Sprintf("%s is sent as %q, the id of the object.", strings.TrimPrefix(a.goName, "opts."), a.p.Name)
	}
	if a.p.Optional {
		if strings.HasPrefix(a.apiTyp, "*") || a.ref {
			s += " Nil leaves it out"
		} else {
			s += " The empty value leaves it out"
		}
		if len(a.p.Default) > 0 {
			s += fmt.Sprintf(" and the server uses %s", a.p.Default)
		}
		s += "."
	}
	return s + unitNote(a.p.Name)
}

// sdpParams are the parameters that carry a whole session description:
// an empty one is refused before the wire.
var sdpParams = map[string]bool{"offer": true, "answer": true}

// checks writes the argument checks of args; ret is the return statement
// prefix for a failure ("return nil, " or "return "). Optional args are
// read from opts, which may be nil.
func (h hctx) checks(b *strings.Builder, args []arg, self, op, method, ret string) {
	for _, a := range args {
		v := a.goName
		guard := ""
		if a.p.Optional {
			guard = "opts != nil && "
		}
		switch {
		case a.ref:
			local := argName(a.p.Name) + "Obj"
			errv := argName(a.p.Name) + "Err"
			if a.p.Optional {
				fmt.Fprintf(b, "\tvar %s *client.Object\n\tif %s!isNil(%s) {\n\t\tvar %s error\n", local, guard, v, errv)
				fmt.Fprintf(b, "\t\tif %s, %s = refArg(%s, %q, %s); %s != nil {\n\t\t\t%sargError(%s, %q, %q, %s)\n\t\t}\n\t}\n",
					local, errv, self, a.p.Name, v, errv, ret, self, op, method, errv)
			} else {
				fmt.Fprintf(b, "\t%s, %s := refArg(%s, %q, %s)\n\tif %s != nil {\n\t\t%sargError(%s, %q, %q, %s)\n\t}\n",
					local, errv, self, a.p.Name, v, errv, ret, self, op, method, errv)
			}
		case sdpParams[a.p.Name] && !a.p.Optional && a.p.Type.Name == "String" && !a.p.Type.List && !a.p.Type.Map:
			// KMS refuses an empty session description with 40201; refusing it
			// here spares the round trip. It is an invalid argument, not a
			// server's *client.Error: no server answered.
			fmt.Fprintf(b, "	if %s == \"\" {\n\t\t%sargError(%s, %q, %q, fmt.Errorf(\"empty %s\"))\n\t}\n",
				v, ret, self, op, method, a.p.Name)
		case h.f.Kind(a.p.Type.Name) == idl.KindEnum && !a.p.Type.List && !a.p.Type.Map:
			cond := "!" + v + ".Valid()"
			if a.p.Optional {
				cond = guard + v + ` != "" && ` + cond
			}
			fmt.Fprintf(b, "\tif %s {\n\t\t%sargError(%s, %q, %q, fmt.Errorf(\"%s: %%w\", &types.InvalidEnumError{Enum: %q, Value: string(%s)}))\n\t}\n",
				cond, ret, self, op, method, a.p.Name, a.p.Type.Name, v)
		}
	}
}

// paramsStruct returns the expression of the params struct for required
// args req and optional args opt (read from opts when not nil).
func (h hctx) paramsStruct(b *strings.Builder, req, opt []arg) string {
	if len(req) == 0 && len(opt) == 0 {
		return "nil"
	}
	b.WriteString("\tparams := struct {\n")
	for _, a := range append(slices.Clone(req), opt...) {
		fmt.Fprintf(b, "\t\t%s %s %s\n", a.field, a.fTyp, a.tag)
	}
	b.WriteString("\t}{")
	var inits []string
	for _, a := range req {
		v := a.goName
		if a.ref {
			v = argName(a.p.Name) + "Obj"
		}
		inits = append(inits, a.field+": "+v)
	}
	b.WriteString(strings.Join(inits, ", "))
	b.WriteString("}\n")
	if len(opt) > 0 {
		b.WriteString("\tif opts != nil {\n")
		for _, a := range opt {
			v := a.goName
			if a.ref {
				v = argName(a.p.Name) + "Obj"
			}
			fmt.Fprintf(b, "\t\tparams.%s = %s\n", a.field, v)
		}
		b.WriteString("\t}\n")
	}
	return "params"
}

// optionsStruct writes the options struct name for optional args.
func (h hctx) optionsStruct(b *strings.Builder, name, doc string, opt []arg) {
	fmt.Fprintf(b, "\n%s\ntype %s struct {\n", comment(0, doc), name)
	for _, a := range opt {
		fmt.Fprintf(b, "%s\n\t%s %s\n", comment(1, h.paramDoc(a)), a.field, a.apiTyp)
	}
	b.WriteString("}\n")
}

// constructor writes NewC and the options struct of c.
func (h hctx) constructor(b *strings.Builder, c idl.Class) error {
	req, err := h.args(c.Constructor.Params, false)
	if err != nil {
		return err
	}
	opt, err := h.args(c.Constructor.Params, true)
	if err != nil {
		return err
	}
	optName := c.Name + "Options"
	h.optionsStruct(b, optName, fmt.Sprintf("%s holds the optional constructor parameters of %s. "+
		"A nil *%s, or an unset field, leaves the choice to the server.", optName, c.Name, optName), opt)

	var sig []string
	parentIdx := slices.IndexFunc(req, func(a arg) bool { return a.ref })
	docs := []string{}
	if parentIdx < 0 {
		sig = append(sig, "cr client.Creator")
		docs = append(docs, "The create is sent through cr: a *client.Client sends it at once, a *client.Tx adds it to the transaction.")
	}
	for _, a := range req {
		sig = append(sig, a.goName+" "+a.apiTyp)
		docs = append(docs, h.paramDoc(a))
	}
	sig = append(sig, "opts *"+optName)
	doc := fmt.Sprintf("New%s creates %s %s on the server (a create request of type %q) and returns its handle.",
		c.Name, article(c.Name), c.Name, c.Name)
	if parentIdx >= 0 {
		doc += fmt.Sprintf(" The request goes through the binding of %s: when %s is pending in a transaction, "+
			"the create joins that transaction and the new object is pending too.", req[parentIdx].goName, req[parentIdx].goName)
	}
	doc += " " + strings.Join(docs, " ")
	doc += " Arguments are checked before anything is sent (nil handles, handles of another client, unknown enum " +
		"values fail with client.ErrInvalidArgument); ctx bounds the wait for the reply."
	fmt.Fprintf(b, "\n%s\nfunc New%s(ctx context.Context, %s) (*%s, error) {\n", comment(0, doc), c.Name, strings.Join(sig, ", "), c.Name)

	var body strings.Builder
	creator := "cr"
	if parentIdx < 0 {
		fmt.Fprintf(&body, "\tif isNil(cr) {\n\t\treturn nil, argError(nil, \"create\", %q, fmt.Errorf(\"nil creator\"))\n\t}\n", c.Name)
		h.checks(&body, req, "nil", "create", c.Name, "return nil, ")
	} else {
		p := req[parentIdx]
		creator = argName(p.p.Name) + "Obj"
		// The parent first, then the others against it.
		h.checks(&body, []arg{p}, "nil", "create", c.Name, "return nil, ")
		var rest []arg
		for i, a := range req {
			if i != parentIdx {
				rest = append(rest, a)
			}
		}
		h.checks(&body, rest, creator, "create", c.Name, "return nil, ")
	}
	self := "nil"
	if parentIdx >= 0 {
		self = creator
	}
	h.checks(&body, opt, self, "create", c.Name, "return nil, ")
	ps := h.paramsStruct(&body, req, opt)
	if ps == "nil" {
		ps = "struct{}{}"
	}
	fmt.Fprintf(&body, "\to, err := %s.CreateObject(ctx, %q, %s)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn %sFromObject(o), nil\n}\n",
		creator, c.Name, ps, c.Name)
	b.WriteString(body.String())
	return nil
}

// whatSentence completes the first doc sentence of a method from what:
// a what ending in " //" is whole, others act "on the object".
func whatSentence(what string) string {
	if strings.HasSuffix(what, " //") {
		what = strings.TrimSuffix(what, " //")
	} else {
		what += " on the object."
	}
	if !strings.HasSuffix(what, ".") {
		what += "."
	}
	return what
}

// method writes one invoke method; what completes its doc sentence.
func (h hctx) method(b *strings.Builder, c idl.Class, m idl.Method, goName, what string) error {
	req, err := h.args(m.Params, false)
	if err != nil {
		return err
	}
	opt, err := h.args(m.Params, true)
	if err != nil {
		return err
	}
	var sig, docs []string
	sig = append(sig, "ctx context.Context")
	for _, a := range req {
		sig = append(sig, a.goName+" "+a.apiTyp)
		docs = append(docs, h.paramDoc(a))
	}
	if len(opt) > 0 {
		on := optionsName(c.Name, m.Name, h.clash[m.Name])
		h.optionsStruct(b, on, fmt.Sprintf("%s holds the optional parameters of %s.%s. A nil *%s, or an unset field, "+
			"leaves them out so the server uses its defaults.", on, c.Name, goName, on), opt)
		sig = append(sig, "opts *"+h.qual(h.pkg)+on)
	}
	retDoc := ""
	results := "error"
	var apiRet string
	if m.Return != nil {
		apiRet, err = h.valueType(*m.Return)
		if err != nil {
			return err
		}
		results = "(" + apiRet + ", error)"
		retDoc = " " + h.returnDoc(*m.Return, apiRet)
	}
	doc := goName + " " + whatSentence(what)
	if len(docs) > 0 {
		doc += " " + strings.Join(docs, " ")
	}
	doc += retDoc
	for _, a := range req {
		if sdpParams[a.p.Name] && a.p.Type.Name == "String" && !a.p.Type.List && !a.p.Type.Map {
			doc += " An empty " + a.p.Name + " is refused before anything is sent, with an error matching" +
				" client.ErrInvalidArgument."
		}
	}
	if m.Return != nil {
		doc += " For an object pending in a transaction it fails with client.ErrPending and queues nothing," +
			" since the value would only exist at commit (client.Tx.Invoke with a result gets it then)."
	} else {
		doc += " For an object pending in a transaction the call is queued there."
	}
	fmt.Fprintf(b, "\n%s\nfunc (h *%s) %s(%s) %s {\n\to := h.Object()\n", comment(0, doc), c.Name, goName, strings.Join(sig, ", "), results)

	ret := "return "
	if m.Return != nil {
		ret = "return " + h.zero(*m.Return) + ", "
	}
	var body strings.Builder
	h.checks(&body, req, "o", "invoke", m.Name, ret)
	h.checks(&body, opt, "o", "invoke", m.Name, ret)
	ps := h.paramsStruct(&body, req, opt)
	if m.Return == nil {
		fmt.Fprintf(&body, "\treturn o.Invoke(ctx, %q, %s, nil)\n}\n", m.Name, ps)
		b.WriteString(body.String())
		return nil
	}
	wire, err := h.wireType(*m.Return)
	if err != nil {
		return err
	}
	fmt.Fprintf(&body, "\tvar res %s\n\tif err := o.Invoke(ctx, %q, %s, &res); err != nil {\n\t\treturn %s, err\n\t}\n",
		wire, m.Name, ps, h.zero(*m.Return))
	conv, err := h.convert(*m.Return, apiRet, m.Name)
	if err != nil {
		return err
	}
	body.WriteString(conv)
	body.WriteString("}\n")
	b.WriteString(body.String())
	return nil
}

func (h hctx) returnDoc(t idl.TypeRef, api string) string {
	switch h.f.Kind(t.Name) {
	case idl.KindClass:
		_, n := h.handleOf(t.Name)
		s := fmt.Sprintf("The server returns %s; ", describeType(h.f, t))
		if n != t.Name {
			s += fmt.Sprintf("this package cannot import the %s handle, so the result is a %s handle "+
				"(wrap its Object with the %s package's %sFromObject).", t.Name, n, h.pkgOf(t.Name), t.Name)
		} else if cl, _ := h.f.Class(n); cl.Abstract || h.hasSubclasses(n) {
			s += fmt.Sprintf("each is returned as a %s handle of its static type; client.Client.Lookup "+
				"gives the concrete class.", n)
		} else {
			s += "each is returned as its typed handle."
		}
		if !t.List {
			s += " A null reference gives a nil handle."
		}
		return s
	case idl.KindStruct:
		if h.polymorphic(t.Name) {
			return fmt.Sprintf("The server returns %s; each value is decoded as the struct its \"__type__\" "+
				"names (%s or a struct extending it).", describeType(h.f, t), t.Name)
		}
		if strings.HasPrefix(api, "[]") && !strings.Contains(api, "types.") {
			return fmt.Sprintf("The server returns %s; the ids are turned into handles.", describeType(h.f, t))
		}
	default:
	}
	return fmt.Sprintf("The server returns %s.", describeType(h.f, t))
}

// convert writes the statements turning res into the API value.
func (h hctx) convert(t idl.TypeRef, api, method string) (string, error) {
	switch h.f.Kind(t.Name) {
	case idl.KindClass:
		p, n := h.handleOf(t.Name)
		wrap := func(id string) string {
			return fmt.Sprintf("%s%sFromObject(o.Client().Object(%q, %s))", h.qual(p), n, t.Name, id)
		}
		switch {
		case t.List:
			return fmt.Sprintf("\tout := make(%s, 0, len(res))\n\tfor _, id := range res {\n\t\tout = append(out, %s)\n\t}\n\treturn out, nil\n", api, wrap("id")), nil
		case t.Map:
			return fmt.Sprintf("\tout := make(%s, len(res))\n\tfor k, id := range res {\n\t\tout[k] = %s\n\t}\n\treturn out, nil\n", api, wrap("id")), nil
		}
		return fmt.Sprintf("\tif res == \"\" {\n\t\treturn nil, nil\n\t}\n\treturn %s, nil\n", wrap("res")), nil
	case idl.KindStruct:
		if a, ok := structAdapters[t.Name]; ok && a.Pkg == h.pkg && t.List {
			return fmt.Sprintf("\treturn %s(o.Client(), res), nil\n", a.List), nil
		}
		if h.polymorphic(t.Name) {
			dec := fmt.Sprintf("types.DecodeComplex(raw, %q)", t.Name)
			switch {
			case t.List:
				return fmt.Sprintf("\tout := make(%s, 0, len(res))\n\tfor _, raw := range res {\n\t\tv, err := %s\n\t\tif err != nil {\n\t\t\treturn nil, decodeError(o, %q, err)\n\t\t}\n\t\tout = append(out, v)\n\t}\n\treturn out, nil\n", api, dec, method), nil
			case t.Map:
				return fmt.Sprintf("\tout := make(%s, len(res))\n\tfor k, raw := range res {\n\t\tv, err := %s\n\t\tif err != nil {\n\t\t\treturn nil, decodeError(o, %q, err)\n\t\t}\n\t\tout[k] = v\n\t}\n\treturn out, nil\n", api, dec, method), nil
			}
			return fmt.Sprintf("\tif len(res) == 0 {\n\t\treturn nil, nil\n\t}\n\traw := res\n\tv, err := %s\n\tif err != nil {\n\t\treturn nil, decodeError(o, %q, err)\n\t}\n\treturn v, nil\n", dec, method), nil
		}
	default:
	}
	return "\treturn res, nil\n", nil
}

// part is the generated handle code of one module, before its file header.
type part struct{ module, body string }
