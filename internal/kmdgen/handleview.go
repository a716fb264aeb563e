package kmdgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gokurento/kurento/internal/idl"
)

// The view model of a handle package. Every field is final text
// (identifiers, types, doc strings); the templates only lay it out.

// handlesData is what handles.tmpl and module.tmpl receive for one file.
type handlesData struct {
	Tool, Source string   // what wrote the file, from which input
	Std, Mod     []string // import paths: standard library, this module
	Types        *typesFile
	Events       []goEvent
	Classes      []classView
	Module       *moduleView // the Module function, in the first file
}

// classView is one handle type and everything declared on it.
type classView struct {
	Name      string
	Doc       string
	Inherited []inheritedGroup // the methods it has through its ancestors
	Parent    string           // qualified embedded parent handle, "" for the root
	ParentFld string           // its field name
	ParentNew string           // qualified FromObject of the parent
	Iface     string           // doc of the <Name>Handle interface, "" when no subclass
	Ctor      *ctorView
	Methods   []methodView
	Events    []eventSubView
	EventsDoc string // doc of Events, "" when the class raises none
	Forwards  []forwardView
}

// inheritedGroup lists the methods a class declares, for the type doc of
// its subclasses.
type inheritedGroup struct {
	Link    string // doc link to the declaring handle
	Methods string
}

// fieldView is a field of an options struct (with its doc) or of a
// params struct (with its JSON tag).
type fieldView struct{ Name, Type, Doc, Tag string }

type optionsView struct {
	Name, Doc string
	Fields    []fieldView
}

type argView struct{ Name, Type string }

// checkView is one argument check before the wire. Kind is ref, optref,
// empty or enum.
type checkView struct {
	Kind             string
	Var, Name        string // Go expression, IDL name
	Obj, Err         string // locals of a reference check
	Guard            string // "opts != nil && " for an optional argument
	Self, Op, Method string
	Ret              string // "return " or "return zero, "
	Enum             string
}

// paramsView is the params struct sent with a request.
type paramsView struct {
	Fields []fieldView
	Inits  []argView // field: value of required args
	Opts   []argView // field: value of optional args, set when opts != nil
}

type ctorView struct {
	Doc      string
	Options  optionsView
	Args     []argView
	Creator  string // "cr", or the Obj local of the parent reference
	CheckCr  bool
	Checks   []checkView
	Params   *paramsView
	Class    string
	HasOpts  bool
	OptsType string
}

type methodView struct {
	Recv    string
	Doc     string
	Name    string
	Options *optionsView
	Args    []argView
	Results string
	Checks  []checkView
	Params  *paramsView
	Op      string // IDL operation
	Ret     *retView
}

// retView says how a returned value is decoded and converted.
type retView struct {
	Wire, API, Zero string
	// Conv is plain, class, classList, classMap, adapter, poly, polyList
	// or polyMap.
	Conv      string
	Wrap      string // qualified <Class>FromObject
	Class     string // IDL class or struct name
	Adapter   string
	Operation string
}

type eventSubView struct {
	Doc, Method, Type, Event, Decode string
}

type forwardView struct {
	Doc, Name, Sig, Results, Call string
}

type moduleView struct {
	Doc     string
	Names   []string
	Classes []string
	Events  []string
}

// classView builds the view of class c.
func (h hctx) classView(c idl.Class) (classView, error) {
	if err := h.checkNames(c); err != nil {
		return classView{}, err
	}
	h.use("client")
	h.std("context")
	v := classView{Name: c.Name, Doc: h.classDoc(c)}
	if c.Extends != "" {
		p, n := h.handleOf(c.Extends)
		if n != c.Extends {
			return classView{}, fmt.Errorf("parent %s lives in a package %s may not import", c.Extends, h.pkg)
		}
		v.Parent = h.qual(p) + n
		v.ParentFld = n
		v.ParentNew = h.qual(p) + n + "FromObject"
		v.Inherited = h.inheritedGroups(c)
	}
	if h.hasSubclasses(c.Name) {
		v.Iface = fmt.Sprintf("%sHandle is implemented by the handle of %s and of each of its subclasses "+
			"(they embed it). Arguments that reference %s %s accept it.", c.Name, c.Name, article(c.Name), c.Name)
	}
	if c.Constructor != nil && !c.Abstract {
		ctor, err := h.ctorView(c)
		if err != nil {
			return classView{}, err
		}
		v.Ctor = &ctor
	}
	for _, m := range members(c) {
		mv, err := h.methodView(c, m)
		if err != nil {
			return classView{}, err
		}
		v.Methods = append(v.Methods, mv)
	}
	for _, e := range c.Events {
		v.Events = append(v.Events, h.eventSub(c.Name, e))
	}
	if all := h.f.ClassEvents(c.Name); len(all) > 0 {
		h.use("event")
		v.EventsDoc = h.eventsDoc(c.Name, all)
	}
	if c.Extends != "" {
		fw, err := h.forwards(c)
		if err != nil {
			return classView{}, err
		}
		v.Forwards = fw
	}
	return v, nil
}

// inheritedGroups lists, nearest ancestor first, the methods each
// ancestor of c declares.
func (h hctx) inheritedGroups(c idl.Class) []inheritedGroup {
	var out []inheritedGroup
	for _, an := range h.f.Hierarchy(c.Name) {
		a, _ := h.f.Class(an)
		var names []string
		for _, m := range members(*a) {
			names = append(names, m.goName)
		}
		for _, e := range a.Events {
			names = append(names, eventMethod(e))
		}
		if a.Extends == "" {
			names = append(names, "Release")
		}
		if len(names) == 0 {
			continue
		}
		link := an
		if p := h.pkgOf(an); p != h.pkg {
			link = p + "." + an // a doc link; no import needed
		}
		out = append(out, inheritedGroup{Link: "[" + link + "]", Methods: strings.Join(names, ", ")})
	}
	return out
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

// sdpParams are the parameters that carry a whole session description:
// an empty one is refused before the wire.
var sdpParams = map[string]bool{"offer": true, "answer": true}

func isSDP(p idl.Param) bool {
	return sdpParams[p.Name] && !p.Optional && p.Type.Name == "String" && !p.Type.List && !p.Type.Map
}

// checks returns the argument checks of args; ret is the return
// statement prefix for a failure ("return nil, " or "return "). Optional
// args are read from opts, which may be nil.
func (h hctx) checks(args []arg, self, op, method, ret string) []checkView {
	var out []checkView
	for _, a := range args {
		c := checkView{Var: a.goName, Name: a.p.Name, Self: self, Op: op, Method: method, Ret: ret}
		if a.p.Optional {
			c.Guard = "opts != nil && "
		}
		switch {
		case a.ref:
			c.Kind = "ref"
			if a.p.Optional {
				c.Kind = "optref"
			}
			c.Obj = argName(a.p.Name) + "Obj"
			c.Err = argName(a.p.Name) + "Err"
		case isSDP(a.p):
			// KMS refuses an empty session description with 40201; refusing
			// it here spares the round trip.
			c.Kind = "empty"
		case h.f.Kind(a.p.Type.Name) == idl.KindEnum && !a.p.Type.List && !a.p.Type.Map:
			c.Kind = "enum"
			c.Enum = a.p.Type.Name
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// paramsView returns the params struct for required args req and
// optional args opt (read from opts when not nil); nil when there are
// none.
func paramsOf(req, opt []arg) *paramsView {
	if len(req) == 0 && len(opt) == 0 {
		return nil
	}
	pv := &paramsView{}
	value := func(a arg) string {
		if a.ref {
			return argName(a.p.Name) + "Obj"
		}
		return a.goName
	}
	for _, a := range req {
		pv.Fields = append(pv.Fields, fieldView{Name: a.field, Type: a.fTyp, Tag: a.tag})
		pv.Inits = append(pv.Inits, argView{a.field, value(a)})
	}
	for _, a := range opt {
		pv.Fields = append(pv.Fields, fieldView{Name: a.field, Type: a.fTyp, Tag: a.tag})
		pv.Opts = append(pv.Opts, argView{a.field, value(a)})
	}
	return pv
}

// optionsOf builds the options struct name of optional args opt of
// operation method of class c (method "" for the constructor).
func (h hctx) optionsOf(name, doc, c, method string, opt []arg) optionsView {
	ov := optionsView{Name: name, Doc: doc}
	for _, a := range opt {
		ov.Fields = append(ov.Fields, fieldView{Name: a.field, Type: a.apiTyp, Doc: h.optionDoc(c, method, a)})
	}
	return ov
}

// ctorView builds New<C> and its options struct.
func (h hctx) ctorView(c idl.Class) (ctorView, error) {
	req, err := h.args(c.Constructor.Params, false)
	if err != nil {
		return ctorView{}, err
	}
	opt, err := h.args(c.Constructor.Params, true)
	if err != nil {
		return ctorView{}, err
	}
	optName := c.Name + "Options"
	v := ctorView{
		Class:    c.Name,
		Options:  h.optionsOf(optName, fmt.Sprintf("%s holds the optional constructor parameters of %s. A nil *%s, or an unset field, leaves the choice to the server.", optName, c.Name, optName), c.Name, "", opt),
		OptsType: optName,
	}
	parentIdx := slices.IndexFunc(req, func(a arg) bool { return a.ref })
	if parentIdx < 0 {
		v.Args = append(v.Args, argView{"cr", "client.Creator"})
		v.Creator = "cr"
		v.CheckCr = true
		v.Checks = h.checks(req, "nil", "create", c.Name, "return nil, ")
	} else {
		p := req[parentIdx]
		v.Creator = argName(p.p.Name) + "Obj"
		// The parent first, then the others against it.
		v.Checks = h.checks([]arg{p}, "nil", "create", c.Name, "return nil, ")
		var rest []arg
		for i, a := range req {
			if i != parentIdx {
				rest = append(rest, a)
			}
		}
		v.Checks = append(v.Checks, h.checks(rest, v.Creator, "create", c.Name, "return nil, ")...)
	}
	for _, a := range req {
		v.Args = append(v.Args, argView{a.goName, a.apiTyp})
	}
	self := "nil"
	if parentIdx >= 0 {
		self = v.Creator
	}
	v.Checks = append(v.Checks, h.checks(opt, self, "create", c.Name, "return nil, ")...)
	v.Params = paramsOf(req, opt)
	var parent *arg
	if parentIdx >= 0 {
		parent = &req[parentIdx]
	}
	v.Doc = h.ctorDoc(c, req, parent)
	return v, nil
}

// methodView builds one invoke method of class c.
func (h hctx) methodView(c idl.Class, m member) (methodView, error) {
	req, err := h.args(m.m.Params, false)
	if err != nil {
		return methodView{}, err
	}
	opt, err := h.args(m.m.Params, true)
	if err != nil {
		return methodView{}, err
	}
	v := methodView{Recv: c.Name, Name: m.goName, Op: m.m.Name, Results: "error"}
	for _, a := range req {
		v.Args = append(v.Args, argView{a.goName, a.apiTyp})
	}
	if len(opt) > 0 {
		on := optionsName(c.Name, m.m.Name, h.clash[m.m.Name])
		ov := h.optionsOf(on, fmt.Sprintf("%s holds the optional parameters of %s.%s. A nil *%s, or an unset field, "+
			"leaves them out so the server uses its defaults.", on, c.Name, m.goName, on), c.Name, m.m.Name, opt)
		v.Options = &ov
		v.Args = append(v.Args, argView{"opts", "*" + on})
	}
	ret := "return "
	if m.m.Return != nil {
		rv, err := h.retView(*m.m.Return, m.m.Name)
		if err != nil {
			return methodView{}, err
		}
		v.Ret = &rv
		v.Results = "(" + rv.API + ", error)"
		ret = "return " + rv.Zero + ", "
	}
	v.Checks = append(h.checks(req, "o", "invoke", m.m.Name, ret), h.checks(opt, "o", "invoke", m.m.Name, ret)...)
	v.Params = paramsOf(req, opt)
	v.Doc = h.methodDoc(c.Name, m, req)
	return v, nil
}

// retView says how the result of method, of type t, is decoded.
func (h hctx) retView(t idl.TypeRef, method string) (retView, error) {
	api, err := h.valueType(t)
	if err != nil {
		return retView{}, err
	}
	wire, err := h.wireType(t)
	if err != nil {
		return retView{}, err
	}
	rv := retView{Wire: wire, API: api, Zero: h.zero(t), Conv: "plain", Class: t.Name, Operation: method}
	switch h.f.Kind(t.Name) {
	case idl.KindClass:
		p, n := h.handleOf(t.Name)
		rv.Wrap = h.qual(p) + n + "FromObject"
		rv.Conv = collection("class", t)
	case idl.KindStruct:
		if a, ok := structAdapters[t.Name]; ok && a.Pkg == h.pkg && t.List {
			rv.Conv = "adapter"
			rv.Adapter = a.List
		} else if h.polymorphic(t.Name) {
			h.use("types")
			rv.Conv = collection("poly", t)
		}
	default:
	}
	return rv, nil
}

// collection appends List or Map to kind for a list or map type.
func collection(kind string, t idl.TypeRef) string {
	switch {
	case t.List:
		return kind + "List"
	case t.Map:
		return kind + "Map"
	}
	return kind
}

// eventSub builds On<e> of class c.
func (h hctx) eventSub(c, e string) eventSubView {
	q := h.eq(e)
	return eventSubView{
		Doc:    h.eventSubDoc(e),
		Method: eventMethod(e),
		Type:   q + e,
		Event:  e,
		Decode: q + "Decode" + e,
	}
}

// forwards builds, for subclass c, a redeclaration of every invoke method
// and event subscription of its ancestors. Promoted through the embedded
// parent they would dereference a nil handle and panic, and go doc would
// not list them; each one calls the parent's through embedded, which is
// nil for a nil handle, so it fails as the declaring class's own method
// does.
func (h hctx) forwards(c idl.Class) ([]forwardView, error) {
	var out []forwardView
	for _, an := range h.f.Hierarchy(c.Name) {
		a, _ := h.f.Class(an)
		apkg := h.pkgOf(an)
		ha := h
		ha.pkg, ha.view = apkg, h.pkg
		if apkg == h.pkg {
			ha.view = ""
		}
		ha.clash = optionClashes(ha.classesOf(apkg))
		link := h.qual(apkg) + an
		for _, m := range members(*a) {
			fv, err := ha.forward(c.Name, link, m)
			if err != nil {
				return nil, fmt.Errorf("inherited %s.%s: %w", an, m.goName, err)
			}
			out = append(out, fv)
		}
		for _, e := range a.Events {
			em := eventMethod(e)
			out = append(out, forwardView{
				Doc:     forwardDoc(h.eventSubDoc(e), link+"."+em),
				Name:    em,
				Sig:     "ctx context.Context",
				Results: "(<-chan " + h.eq(e) + e + ", error)",
				Call:    em + "(ctx)",
			})
		}
	}
	return out, nil
}

// forward builds the redeclaration on class c of member m of the ancestor
// link names (h is the ancestor's package as seen from c's).
func (h hctx) forward(c, link string, m member) (forwardView, error) {
	req, err := h.args(m.m.Params, false)
	if err != nil {
		return forwardView{}, err
	}
	opt, err := h.args(m.m.Params, true)
	if err != nil {
		return forwardView{}, err
	}
	sig := []string{"ctx context.Context"}
	call := []string{"ctx"}
	for _, x := range req {
		sig = append(sig, x.goName+" "+x.apiTyp)
		call = append(call, x.goName)
	}
	anc := link[strings.LastIndexByte(link, '.')+1:]
	if len(opt) > 0 {
		sig = append(sig, "opts *"+h.qual(h.pkg)+optionsName(anc, m.m.Name, h.clash[m.m.Name]))
		call = append(call, "opts")
	}
	results := "error"
	if m.m.Return != nil {
		t, err := h.valueType(*m.m.Return)
		if err != nil {
			return forwardView{}, err
		}
		results = "(" + t + ", error)"
	}
	return forwardView{
		Doc:     forwardDoc(h.methodDoc(anc, m, req), link+"."+m.goName),
		Name:    m.goName,
		Sig:     strings.Join(sig, ", "),
		Results: results,
		Call:    m.goName + "(" + strings.Join(call, ", ") + ")",
	}, nil
}

// forwardDoc is the doc of a redeclared inherited member: the first
// paragraph of the declaring class's doc, and a link to it for the rest.
func forwardDoc(doc, link string) string {
	first, rest, _ := strings.Cut(doc, "\n\n")
	if rest == "" {
		return first + "\n\nIt is declared by [" + link + "]."
	}
	return first + "\n\nIt is declared by [" + link + "], whose documentation gives the details."
}

// moduleViewOf builds the Module function of a package holding classes.
func (h hctx) moduleViewOf(classes []idl.Class, events []idl.Event) *moduleView {
	if len(classes) == 0 && len(events) == 0 {
		return nil
	}
	mv := &moduleView{}
	for _, c := range classes {
		if !slices.Contains(mv.Names, c.Module) {
			mv.Names = append(mv.Names, c.Module)
		}
		mv.Classes = append(mv.Classes, c.Name)
	}
	for _, e := range events {
		mv.Events = append(mv.Events, e.Name)
	}
	names := make([]string, len(mv.Names))
	for i, n := range mv.Names {
		names[i] = fmt.Sprintf("%q", n)
	}
	if h.custom != "" {
		mv.Doc = fmt.Sprintf("Module describes the classes and events of the %s module%s of this package to a client: give it "+
			"to client.WithModule so that client.Client.Lookup and HandleOf return these handles for objects of these "+
			"classes and ordered event streams deliver the module's event structs. Each call returns a new value.",
			joinAnd(mv.Names), plural2(len(mv.Names)))
	} else {
		mv.Doc = fmt.Sprintf("Module describes the classes whose handles this package holds to a client: give it " +
			"to client.WithModule so that client.Client.Lookup and HandleOf return these handles for objects of these " +
			"classes. The typed Lookup functions of this package need no registration. Each call returns a new value.")
	}
	return mv
}

func plural2(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// genHandles builds the files of built-in handle package pkg.
func genHandles(f *idl.Facts, src, pkg string, d *Docs) ([]File, error) {
	h := hctx{f: f, d: d, pkg: pkg}
	classes := h.classesOf(pkg)
	h.clash = optionClashes(classes)
	var files []File
	for i, cs := range byModule(f, classes, func(c idl.Class) string { return c.Module }) {
		if len(cs) == 0 {
			continue
		}
		h.imp = imports{}
		data := handlesData{Tool: "kmdgen", Source: src}
		if len(files) == 0 {
			data.Module = h.moduleViewOf(classes, nil)
		}
		for _, c := range cs {
			cv, err := h.classView(c)
			if err != nil {
				return nil, fmt.Errorf("class %s: %w", c.Name, err)
			}
			data.Classes = append(data.Classes, cv)
		}
		data.Std, data.Mod = h.imp.lists()
		file, err := render("handles.tmpl", pkg, f.Modules[i].Name, src, data)
		if err != nil {
			return nil, err
		}
		files = append(files, file)
	}
	return files, nil
}
