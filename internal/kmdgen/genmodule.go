package kmdgen

import (
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/gokurento/kurento/internal/idl"
)

// builtinNames are the package names a custom package imports or that
// its generated code uses as identifiers; the package may not take one.
var builtinNames = []string{
	"client", "context", "element", "endpoint", "event", "filter", "fmt", "hub", "json",
	"pipeline", "reflect", "types",
}

// ModuleInput is what GenerateModule reads.
type ModuleInput struct {
	// Facts hold the built-in modules and the custom ones (see
	// idl.Extend).
	Facts *idl.Facts
	// Pkg is the name of the Go package to write.
	Pkg string
	// Modules are the custom modules to generate.
	Modules []string
	// Sources name the input of each module (its kmd.json file) in the
	// file headers; a module missing here is named <module>.kmd.json.
	Sources map[string]string
	// Docs gives descriptions of the IDL items; nil for none.
	Docs *Docs
}

// GenerateModule returns the files of the Go package holding the typed API
// of the custom modules in.Modules: one <module>_gen.go per module with
// its enums, structs, events and handles, in the shape of the built-in
// packages, plus a Module function listing the classes for
// client.WithModule. The code imports only the SDK's public packages.
// Built-in modules cannot be generated this way.
func GenerateModule(in ModuleInput) ([]File, error) {
	h, err := moduleContext(in)
	if err != nil {
		return nil, err
	}
	events := h.moduleEvents()
	if err := h.checkStructs(); err != nil {
		return nil, err
	}
	classes := h.classesOf(h.pkg)
	h.clash = optionClashes(classes)
	var files []File
	for _, m := range h.f.Modules {
		if !h.local[m.Name] {
			continue
		}
		h.imp = imports{}
		data, err := h.moduleFile(m.Name, classes, events)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			data.Module = h.moduleViewOf(classes, events)
			if len(events) > 0 {
				h.use("event")
			}
		}
		data.Std, data.Mod = h.imp.lists()
		src := in.Sources[m.Name]
		if src == "" {
			src = m.Name + ".kmd.json"
		}
		file, err := render("handles.tmpl", h.pkg, m.Name, src, data)
		if err != nil {
			return nil, err
		}
		files = append(files, file)
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}

// moduleContext checks the input and returns the context of the package.
func moduleContext(in ModuleInput) (hctx, error) {
	if !token.IsIdentifier(in.Pkg) || slices.Contains(builtinNames, in.Pkg) {
		return hctx{}, fmt.Errorf("package name %q: want a Go identifier other than %s", in.Pkg, strings.Join(builtinNames, ", "))
	}
	if len(in.Modules) == 0 {
		return hctx{}, fmt.Errorf("no module to generate")
	}
	builtin := map[string]bool{}
	for _, m := range idl.Load().Modules {
		builtin[m.Name] = true
	}
	h := hctx{f: in.Facts, d: in.Docs, pkg: in.Pkg, custom: in.Pkg, local: map[string]bool{}}
	for _, m := range in.Modules {
		if builtin[m] {
			return hctx{}, fmt.Errorf("module %s is built into the SDK (packages types, event, element, ...)", m)
		}
		if !slices.ContainsFunc(in.Facts.Modules, func(x idl.Module) bool { return x.Name == m }) {
			return hctx{}, fmt.Errorf("unknown module %s", m)
		}
		h.local[m] = true
	}
	return h, nil
}

// moduleEvents lists the modules' events a class can raise.
func (h hctx) moduleEvents() []idl.Event {
	subscribable := h.f.SubscribableEvents()
	var events []idl.Event
	for _, e := range h.f.Events {
		if h.local[e.Module] && slices.Contains(subscribable, e.Name) {
			events = append(events, e)
		}
	}
	return events
}

// checkStructs refuses structs taking part in inheritance.
func (h hctx) checkStructs() error {
	for _, t := range h.f.Types {
		if h.local[t.Module] && !t.Enum && (t.Extends != "" || h.polymorphic(t.Name)) {
			return fmt.Errorf("module %s: struct %s takes part in inheritance, which custom modules do not support yet", t.Module, t.Name)
		}
	}
	return nil
}

// moduleFile builds the view of the file of module: its enums, structs,
// events and handles.
func (h hctx) moduleFile(module string, classes []idl.Class, events []idl.Event) (handlesData, error) {
	data := handlesData{Tool: "kurento-gen"}
	td, err := h.moduleTypes(module)
	if err != nil {
		return handlesData{}, err
	}
	if len(td.Enums)+len(td.Structs) > 0 {
		data.Types = &td
	}
	for _, e := range events {
		if e.Module != module {
			continue
		}
		ge, _, err := buildEvent(h.f, h.d, e, h.tq)
		if err != nil {
			return handlesData{}, err
		}
		ge.Doc = strings.Replace(ge.Doc, "A subscription", "Its "+eventMethod(e.Name)+" subscription, or Events", 1)
		data.Events = append(data.Events, ge)
		h.use("event")
	}
	for _, c := range classes {
		if c.Module != module {
			continue
		}
		cv, err := h.classView(c)
		if err != nil {
			return handlesData{}, fmt.Errorf("class %s: %w", c.Name, err)
		}
		data.Classes = append(data.Classes, cv)
	}
	return data, nil
}

// moduleTypes builds the enums and structs of module.
func (h hctx) moduleTypes(module string) (typesFile, error) {
	var td typesFile
	for _, t := range h.f.Types {
		if t.Module != module {
			continue
		}
		h.std("encoding/json")
		if t.Enum {
			h.use("types") // InvalidEnumError
			e, err := buildEnum(h.d, t)
			if err != nil {
				return typesFile{}, err
			}
			td.Enums = append(td.Enums, e)
			continue
		}
		s, err := buildStruct(h.f, h.d, t, h.tq)
		if err != nil {
			return typesFile{}, err
		}
		td.Structs = append(td.Structs, s)
	}
	return td, nil
}
