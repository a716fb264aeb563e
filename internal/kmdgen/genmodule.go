package kmdgen

import (
	"bytes"
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

// GenerateModule returns the files of Go package pkg holding the typed API
// of the custom modules named in modules, which f must hold (see
// idl.Extend): one <module>_gen.go per module with its enums, structs
// events and handles, in the shape of the built-in packages, plus a Module
// function listing the classes for client.WithModule. The code imports
// only the SDK's public packages. Built-in modules cannot be generated
// this way.
func GenerateModule(f *idl.Facts, pkg string, modules []string) ([]File, error) {
	if !token.IsIdentifier(pkg) || slices.Contains(builtinNames, pkg) {
		return nil, fmt.Errorf("package name %q: want a Go identifier other than %s", pkg, strings.Join(builtinNames, ", "))
	}
	if len(modules) == 0 {
		return nil, fmt.Errorf("no module to generate")
	}
	builtin := map[string]bool{}
	for _, m := range idl.Load().Modules {
		builtin[m.Name] = true
	}
	h := hctx{f: f, pkg: pkg, custom: pkg, local: map[string]bool{}}
	for _, m := range modules {
		if builtin[m] {
			return nil, fmt.Errorf("module %s is built into the SDK (packages types, event, element, ...)", m)
		}
		if !slices.ContainsFunc(f.Modules, func(x idl.Module) bool { return x.Name == m }) {
			return nil, fmt.Errorf("unknown module %s", m)
		}
		h.local[m] = true
	}
	subscribable := f.SubscribableEvents()
	var events []idl.Event // the module's events a class can raise
	for _, e := range f.Events {
		if h.local[e.Module] && slices.Contains(subscribable, e.Name) {
			events = append(events, e)
		}
	}
	for _, t := range f.Types {
		if h.local[t.Module] && !t.Enum && (t.Extends != "" || h.polymorphic(t.Name)) {
			return nil, fmt.Errorf("module %s: struct %s takes part in inheritance, which custom modules do not support yet", t.Module, t.Name)
		}
	}
	classes := h.classesOf(pkg)
	h.clash = optionClashes(classes)

	var parts []part
	var module strings.Builder // the Module function, in the last file
	for i, m := range f.Modules {
		if !h.local[m.Name] {
			continue
		}
		var b strings.Builder
		var td typesFile
		for _, t := range f.Types {
			if t.Module != m.Name {
				continue
			}
			if t.Enum {
				e, err := buildEnum(t)
				if err != nil {
					return nil, err
				}
				td.Enums = append(td.Enums, e)
				continue
			}
			s, err := buildStruct(f, t, h.tq)
			if err != nil {
				return nil, err
			}
			td.Structs = append(td.Structs, s)
		}
		var tb bytes.Buffer
		if err := templates.ExecuteTemplate(&tb, "moduletypes.tmpl", td); err != nil {
			return nil, err
		}
		b.Write(tb.Bytes())
		var evs []goEvent
		for _, e := range events {
			if e.Module != m.Name {
				continue
			}
			ge, _, err := buildEvent(f, e, h.tq)
			if err != nil {
				return nil, err
			}
			ge.Doc = strings.Replace(ge.Doc, "A subscription", "Its On"+e.Name+" subscription, or Events", 1)
			evs = append(evs, ge)
		}
		var eb bytes.Buffer
		if err := templates.ExecuteTemplate(&eb, "moduleevents.tmpl", evs); err != nil {
			return nil, err
		}
		b.Write(eb.Bytes())
		for _, c := range classes {
			if c.Module != m.Name {
				continue
			}
			if err := h.class(&b, c); err != nil {
				return nil, fmt.Errorf("class %s: %w", c.Name, err)
			}
		}
		parts = append(parts, part{f.Modules[i].Name, b.String()})
	}
	var names []string
	for _, p := range parts {
		names = append(names, p.module)
	}
	fmt.Fprintf(&module, "\n%s\nfunc Module() client.Module {\n\treturn client.Module{\n\t\tNames: %#v,\n\t\tTypes: map[string]client.Factory{\n",
		comment(0, fmt.Sprintf("Module describes the classes of the %s module%s of this package to a client: give it to "+
			"client.WithModule so that client.Client.Lookup returns these handles for objects of these classes "+
			"and ordered event streams deliver the module's event structs. Each call returns a new value.", joinAnd(names), plural2(len(names)))), names)
	for _, c := range classes {
		fmt.Fprintf(&module, "\t\t\t%q: func(o *client.Object) any { return %sFromObject(o) },\n", c.Name, c.Name)
	}
	module.WriteString("\t\t},\n")
	if len(events) > 0 {
		module.WriteString("\t\tEvents: map[string]func(event.Raw) (event.Event, error){\n")
		for _, e := range events {
			fmt.Fprintf(&module, "\t\t\t%q: func(r event.Raw) (event.Event, error) {\n\t\t\t\te, err := Decode%s(r)\n"+
				"\t\t\t\tif err != nil {\n\t\t\t\t\treturn nil, err\n\t\t\t\t}\n\t\t\t\treturn e, nil\n\t\t\t},\n", e.Name, e.Name)
		}
		module.WriteString("\t\t},\n")
	}
	module.WriteString("\t}\n}\n")

	files, err := handleFiles("module.tmpl", pkg, parts, module.String())
	if err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}

func plural2(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}
