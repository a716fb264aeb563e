package kmdgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gokurento/kurento/internal/idl"
)

type goEvent struct {
	Name   string
	Doc    string
	Fields []goField
}

type eventFile struct {
	Module     string // the module name with an upper-case first letter
	Var        string // name of the function listing the module's events
	ImportType bool   // whether a field refers to package types
	Events     []goEvent
}

// baseFields are the fields of the root event (RaiseBase), which the
// hand-written event.Base holds.
var baseFields = []string{"source", "timestampMillis", "tags"}

func genEvent(f *idl.Facts, src string, d *Docs) ([]File, error) {
	subscribable := f.SubscribableEvents()
	var events []idl.Event
	for _, e := range f.Events {
		if slices.Contains(subscribable, e.Name) {
			events = append(events, e)
		}
	}
	var files []File
	for i, evs := range byModule(f, events, func(e idl.Event) string { return e.Module }) {
		module := f.Modules[i].Name
		data := eventFile{Module: exported(module), Var: module + "Names"}
		for _, e := range evs {
			ge, usesTypes, err := buildEvent(f, d, e, func(string) string { return "types." })
			if err != nil {
				return nil, err
			}
			data.ImportType = data.ImportType || usesTypes
			data.Events = append(data.Events, ge)
		}
		// Every module gets a file, possibly with an empty table, so that
		// the hand-written registry can list them all.
		file, err := render("event.tmpl", "event", module, src, data)
		if err != nil {
			return nil, err
		}
		files = append(files, file)
	}
	return files, nil
}

// buildEvent builds event e; qual gives the qualifier of the struct or
// enum type a field refers to.
func buildEvent(f *idl.Facts, d *Docs, e idl.Event, qual func(name string) string) (goEvent, bool, error) {
	chain := f.EventChain(e.Name)
	root, _ := f.Event(chain[0])
	var rootNames []string
	for _, p := range root.Properties {
		rootNames = append(rootNames, p.Name)
	}
	if !slices.Equal(rootNames, baseFields) {
		return goEvent{}, false, fmt.Errorf("event %s: root %s has fields %v, want %v", e.Name, root.Name, rootNames, baseFields)
	}
	declarers := f.Declarers(e.Name)
	ge := goEvent{Name: e.Name}
	ge.Doc = lead(e.Name, d.get(idl.EventKey(e.Name)), fmt.Sprintf("%s is the %s event of the %s module.", e.Name, e.Name, e.Module))
	ge.Doc += fmt.Sprintf("\n\nA subscription on %s, or on a subclass, receives it. Its data fields are those of %s.",
		joinOr(withArticles(declarers)), strings.Join(chain, " > "))
	usesTypes := false
	seen := map[string]bool{"source": true, "timestamp": true, "tags": true, "raw": true}
	own := map[string]bool{}
	for _, p := range e.Properties {
		own[p.Name] = true
	}
	for _, p := range f.EventFields(e.Name)[len(baseFields):] {
		goName := exported(p.Name)
		if seen[strings.ToLower(goName)] {
			return goEvent{}, false, fmt.Errorf("event %s: field %s collides", e.Name, p.Name)
		}
		seen[strings.ToLower(goName)] = true
		typ, err := goType(f, p.Type, qual(p.Type.Name), false)
		if err != nil {
			return goEvent{}, false, fmt.Errorf("event %s field %s: %w", e.Name, p.Name, err)
		}
		usesTypes = usesTypes || strings.Contains(typ, "types.")
		ge.Fields = append(ge.Fields, goField{
			GoName: goName,
			GoType: typ,
			Tag:    fmt.Sprintf("`json:%q`", p.Name),
			Doc:    eventFieldDoc(f, d, chain, goName, p, own[p.Name]),
		})
	}
	return ge, usesTypes, nil
}

func withArticles(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = article(n) + " " + n
	}
	return out
}

func joinOr(s []string) string {
	switch len(s) {
	case 0:
		return "no class"
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// eventFieldDoc describes an event data field, naming the ancestor event
// that declares an inherited one.
func eventFieldDoc(f *idl.Facts, d *Docs, chain []string, goName string, p idl.Param, own bool) string {
	var fd desc
	for _, n := range chain {
		if x := d.get(idl.FieldKey(n, p.Name)); x.Text != "" {
			fd = x
		}
	}
	doc := fieldDoc(f, fd, goName, p, false)
	if own {
		return doc
	}
	for _, n := range chain {
		e, _ := f.Event(n)
		if slices.ContainsFunc(e.Properties, func(q idl.Param) bool { return q.Name == p.Name }) {
			return doc + " It is declared on " + n + " and inherited."
		}
	}
	return doc
}
