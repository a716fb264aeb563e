package idl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The kmd* types mirror the parts of a kmd.json file that carry facts.
// Every other key, the "doc" strings in particular, is ignored on decode
// and so never reaches facts.json.
type kmdFile struct {
	Name          string     `json:"name"`
	Version       string     `json:"version"`
	Imports       []kmdName  `json:"imports,omitempty"`
	RemoteClasses []kmdClass `json:"remoteClasses,omitempty"`
	ComplexTypes  []kmdType  `json:"complexTypes,omitempty"`
	Events        []kmdEvent `json:"events,omitempty"`
}

type kmdName struct {
	Name string `json:"name"`
}

type kmdParam struct {
	Name         string          `json:"name"`
	Type         string          `json:"type"`
	Optional     bool            `json:"optional,omitempty"`
	DefaultValue json.RawMessage `json:"defaultValue,omitempty"`
}

type kmdMethod struct {
	Name   string     `json:"name"`
	Params []kmdParam `json:"params,omitempty"`
	Return *struct {
		Type string `json:"type"`
	} `json:"return,omitempty"`
}

type kmdProperty struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	ReadOnly bool   `json:"readOnly,omitempty"`
	Final    bool   `json:"final,omitempty"`
}

type kmdClass struct {
	Name        string        `json:"name"`
	Extends     string        `json:"extends,omitempty"`
	Abstract    bool          `json:"abstract,omitempty"`
	Constructor *kmdMethod    `json:"constructor,omitempty"`
	Properties  []kmdProperty `json:"properties,omitempty"`
	Methods     []kmdMethod   `json:"methods,omitempty"`
	Events      []string      `json:"events,omitempty"`
}

type kmdType struct {
	Name       string     `json:"name"`
	Extends    string     `json:"extends,omitempty"`
	TypeFormat string     `json:"typeFormat"`
	Values     []string   `json:"values,omitempty"`
	Properties []kmdParam `json:"properties,omitempty"`
}

type kmdEvent struct {
	Name       string     `json:"name"`
	Extends    string     `json:"extends,omitempty"`
	Properties []kmdParam `json:"properties,omitempty"`
}

// FromKMD builds facts from the contents of kmd.json files, one per module.
// Modules are ordered so that each comes after the modules it imports (ties
// by name); within a module the file's order is kept. Documentation is
// dropped. The result is checked like [Parse] checks a facts file.
func FromKMD(files ...[]byte) (*Facts, error) {
	return fromKMD(&Facts{}, files)
}

// Extend returns base with the modules of the given kmd.json files added
// after its own: the facts of a custom module, whose classes extend and
// whose signatures use the classes and types of base (the built-in core,
// elements and filters of [Load]). A module base already has is an
// error, and so is a name (class, type, event) that both define. base is
// not modified.
func Extend(base *Facts, files ...[]byte) (*Facts, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("idl: no kmd.json given")
	}
	return fromKMD(base, files)
}

func fromKMD(base *Facts, files [][]byte) (*Facts, error) {
	mods := make([]kmdFile, 0, len(files))
	have := map[string]bool{}
	for _, m := range base.Modules {
		have[m.Name] = true
	}
	for i, b := range files {
		var m kmdFile
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("idl: kmd file %d: %w", i, err)
		}
		if m.Name == "" {
			return nil, fmt.Errorf("idl: kmd file %d has no module name", i)
		}
		if have[m.Name] {
			return nil, fmt.Errorf("idl: kmd file %d: module %q is already known", i, m.Name)
		}
		mods = append(mods, m)
	}
	mods, err := orderModules(mods, have)
	if err != nil {
		return nil, err
	}
	f := &Facts{
		Modules: append([]Module{}, base.Modules...),
		Classes: append([]Class{}, base.Classes...),
		Events:  append([]Event{}, base.Events...),
		Types:   append([]ComplexType{}, base.Types...),
	}
	for _, m := range mods {
		f.Modules = append(f.Modules, Module{Name: m.Name, Version: m.Version})
		for _, c := range m.RemoteClasses {
			cl, err := convertClass(m.Name, c)
			if err != nil {
				return nil, err
			}
			f.Classes = append(f.Classes, cl)
		}
		for _, e := range m.Events {
			ps, err := convertParams(e.Name, e.Properties)
			if err != nil {
				return nil, err
			}
			f.Events = append(f.Events, Event{Name: e.Name, Module: m.Name, Extends: e.Extends, Properties: ps})
		}
		for _, t := range m.ComplexTypes {
			ct := ComplexType{Name: t.Name, Module: m.Name, Extends: t.Extends}
			switch t.TypeFormat {
			case "ENUM":
				ct.Enum = true
				ct.Values = slices.Clone(t.Values)
			case "REGISTER":
				if ct.Properties, err = convertParams(t.Name, t.Properties); err != nil {
					return nil, err
				}
			default:
				return nil, fmt.Errorf("idl: type %s: unknown typeFormat %q", t.Name, t.TypeFormat)
			}
			f.Types = append(f.Types, ct)
		}
	}
	// Round-trip through the facts encoding so the result is indexed and
	// checked exactly like a loaded file.
	b, err := f.Marshal()
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

func orderModules(mods []kmdFile, known map[string]bool) ([]kmdFile, error) {
	slices.SortFunc(mods, func(a, b kmdFile) int { return strings.Compare(a.Name, b.Name) })
	done := maps.Clone(known)
	if done == nil {
		done = map[string]bool{}
	}
	var out []kmdFile
	for len(out) < len(mods) {
		progress := false
		for _, m := range mods {
			if done[m.Name] {
				continue
			}
			ready := true
			for _, imp := range m.Imports {
				if !done[imp.Name] {
					ready = false
				}
			}
			if ready {
				done[m.Name] = true
				out = append(out, m)
				progress = true
				break // restart so that ties stay in name order
			}
		}
		if !progress {
			return nil, fmt.Errorf("idl: module imports missing or cyclic: %s", missingImports(mods, done))
		}
	}
	return out, nil
}

func convertClass(module string, c kmdClass) (Class, error) {
	cl := Class{
		Name:     c.Name,
		Module:   module,
		Extends:  c.Extends,
		Abstract: c.Abstract,
		Events:   slices.Clone(c.Events),
	}
	if c.Constructor != nil {
		ps, err := convertParams(c.Name, c.Constructor.Params)
		if err != nil {
			return Class{}, err
		}
		cl.Constructor = &Method{Params: ps}
	}
	for _, p := range c.Properties {
		t, err := ParseTypeRef(p.Type)
		if err != nil {
			return Class{}, fmt.Errorf("idl: %s.%s: %w", c.Name, p.Name, err)
		}
		cl.Properties = append(cl.Properties, Property{Name: p.Name, Type: t, ReadOnly: p.ReadOnly, Final: p.Final})
	}
	for _, m := range c.Methods {
		ps, err := convertParams(c.Name+"."+m.Name, m.Params)
		if err != nil {
			return Class{}, err
		}
		mm := Method{Name: m.Name, Params: ps}
		if m.Return != nil && m.Return.Type != "" {
			t, err := ParseTypeRef(m.Return.Type)
			if err != nil {
				return Class{}, fmt.Errorf("idl: %s.%s: %w", c.Name, m.Name, err)
			}
			mm.Return = &t
		}
		cl.Methods = append(cl.Methods, mm)
	}
	return cl, nil
}

func convertParams(where string, in []kmdParam) ([]Param, error) {
	out := make([]Param, 0, len(in))
	for _, p := range in {
		t, err := ParseTypeRef(p.Type)
		if err != nil {
			return nil, fmt.Errorf("idl: %s.%s: %w", where, p.Name, err)
		}
		q := Param{Name: p.Name, Type: t, Optional: p.Optional}
		if len(p.DefaultValue) > 0 {
			var buf bytes.Buffer
			if err := json.Compact(&buf, p.DefaultValue); err != nil {
				return nil, fmt.Errorf("idl: %s.%s: default: %w", where, p.Name, err)
			}
			q.Default = buf.Bytes()
		}
		out = append(out, q)
	}
	return out, nil
}

// missingImports names, for the error, the imports no given module
// satisfies.
func missingImports(mods []kmdFile, done map[string]bool) string {
	given := map[string]bool{}
	for _, m := range mods {
		given[m.Name] = true
	}
	var out []string
	for _, m := range mods {
		for _, imp := range m.Imports {
			if !done[imp.Name] && !given[imp.Name] {
				out = append(out, m.Name+" imports "+imp.Name)
			}
		}
	}
	if len(out) == 0 {
		return "cycle"
	}
	return strings.Join(out, ", ")
}

// StripKMD returns the contents of a kmd.json file reduced to the facts
// FromKMD and Extend read, still in kmd.json form: documentation strings,
// code-generation settings and every other key are dropped. A module's
// facts can then be committed and read like the original.
func StripKMD(b []byte) ([]byte, error) {
	var m kmdFile
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("idl: kmd file: %w", err)
	}
	if m.Name == "" {
		return nil, fmt.Errorf("idl: kmd file has no module name")
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
