package kmdgen

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gokurento/kurento/internal/idl"
)

type goField struct {
	GoName string
	GoType string
	Tag    string
	Doc    string
}

type goStruct struct {
	Name   string
	Doc    string
	Fields []goField
	Parent string // IDL name of the struct this one extends
	Module string // IDL module that declares it
}

type goConst struct {
	GoName string
	Value  string
	Doc    string // "" when the value has no description
}

type goEnum struct {
	Name   string
	Doc    string
	Consts []goConst
}

type typesFile struct {
	Var     string // name of the function finding the module's structs
	Enums   []goEnum
	Structs []goStruct
}

// goType maps an IDL type to Go. qual prefixes struct and enum names
// ("types." outside package types). Remote objects are their id strings.
// Optional scalars and structs become pointers so that an unset value is
// told apart from false, 0 or an empty struct.
func goType(f *idl.Facts, t idl.TypeRef, qual string, optional bool) (string, error) {
	var elem string
	switch f.Kind(t.Name) {
	case idl.KindPrimitive:
		elem = map[string]string{
			"String":  "string",
			"int":     "int32",
			"int64":   "int64",
			"float":   "float32",
			"double":  "float64",
			"boolean": "bool",
		}[t.Name]
	case idl.KindClass:
		elem = "string"
	case idl.KindStruct, idl.KindEnum:
		elem = qual + t.Name
	default:
		return "", fmt.Errorf("unknown type %s", t)
	}
	switch {
	case t.List:
		return "[]" + elem, nil
	case t.Map:
		return "map[string]" + elem, nil
	}
	if optional && needsPointer(f, t) {
		return "*" + elem, nil
	}
	return elem, nil
}

// needsPointer reports whether an optional value of t needs a pointer to
// express "unset": strings, enums and ids use their empty value instead.
func needsPointer(f *idl.Facts, t idl.TypeRef) bool {
	if t.List || t.Map {
		return false
	}
	switch f.Kind(t.Name) {
	case idl.KindStruct:
		return true
	case idl.KindPrimitive:
		return t.Name != "String"
	default:
	}
	return false
}

// fieldDoc describes a struct or event field: its description desc, or a
// neutral sentence when it has none.
func fieldDoc(f *idl.Facts, d desc, goName string, p idl.Param, optional bool) string {
	var b strings.Builder
	switch {
	case d.Text != "":
		b.WriteString(named(goName, d))
	case f.Kind(p.Type.Name) == idl.KindClass:
		fmt.Fprintf(&b, "%s is %s.", goName, describeType(f, p.Type))
	default:
		fmt.Fprintf(&b, "%s holds the %s field.", goName, p.Name)
	}
	b.WriteString(unitNote(p.Name))
	if optional {
		if needsPointer(f, p.Type) {
			b.WriteString(" Optional: nil leaves it out")
		} else {
			b.WriteString(" Optional: the empty value leaves it out")
		}
		if len(p.Default) > 0 {
			fmt.Fprintf(&b, " and the server uses %s", p.Default)
		}
		b.WriteString(".")
	}
	return b.String()
}

func genTypes(f *idl.Facts, src string, d *Docs) ([]File, error) {
	var files []File
	for i, types := range byModule(f, f.Types, func(t idl.ComplexType) string { return t.Module }) {
		if len(types) == 0 {
			continue
		}
		module := f.Modules[i].Name
		data := typesFile{Var: module + "ComplexType"}
		for _, t := range types {
			if t.Enum {
				e, err := buildEnum(d, t)
				if err != nil {
					return nil, err
				}
				data.Enums = append(data.Enums, e)
				continue
			}
			s, err := buildStruct(f, d, t, func(string) string { return "" })
			if err != nil {
				return nil, err
			}
			data.Structs = append(data.Structs, s)
		}
		file, err := render("types.tmpl", "types", module, src, data)
		if err != nil {
			return nil, err
		}
		files = append(files, file)
	}
	return files, nil
}

func buildEnum(d *Docs, t idl.ComplexType) (goEnum, error) {
	e := goEnum{Name: t.Name}
	var vals bytes.Buffer
	seen := map[string]string{}
	for i, v := range t.Values {
		c := goConst{GoName: enumConst(t.Name, v), Value: v}
		if vd := d.get(idl.MemberKey(t.Name, v)); vd.Text != "" {
			c.Doc = named(c.GoName, vd)
		}
		if prev, ok := seen[c.GoName]; ok {
			return goEnum{}, fmt.Errorf("enum %s: values %q and %q both map to %s", t.Name, prev, v, c.GoName)
		}
		seen[c.GoName] = v
		e.Consts = append(e.Consts, c)
		if i > 0 {
			vals.WriteString(", ")
		}
		vals.WriteString(v)
	}
	e.Doc = lead(t.Name, d.get(idl.TypeKey(t.Name)), fmt.Sprintf("%s is an enum of the %s module.", t.Name, t.Module))
	e.Doc += fmt.Sprintf(" Known values: %s; [%s.Valid] tells them from values of a newer server.", vals.String(), t.Name)
	return e, nil
}

// buildStruct builds struct t; qual gives the qualifier of the struct or
// enum type a field refers to.
func buildStruct(f *idl.Facts, d *Docs, t idl.ComplexType, qual func(name string) string) (goStruct, error) {
	s := goStruct{Name: t.Name, Parent: t.Extends, Module: t.Module}
	s.Doc = lead(t.Name, d.get(idl.TypeKey(t.Name)), fmt.Sprintf("%s is a struct of the %s module.", t.Name, t.Module))
	if t.Extends != "" {
		s.Doc += fmt.Sprintf(" It extends %s and carries all of its fields.", t.Extends)
	}
	seen := map[string]bool{}
	for _, p := range f.TypeFields(t.Name) {
		goName := exported(p.Name)
		if seen[strings.ToLower(goName)] {
			return goStruct{}, fmt.Errorf("struct %s: duplicate field %s", t.Name, p.Name)
		}
		seen[strings.ToLower(goName)] = true
		typ, err := goType(f, p.Type, qual(p.Type.Name), p.Optional)
		if err != nil {
			return goStruct{}, fmt.Errorf("struct %s field %s: %w", t.Name, p.Name, err)
		}
		tag := p.Name
		if p.Optional {
			tag += ",omitempty"
		}
		s.Fields = append(s.Fields, goField{
			GoName: goName,
			GoType: typ,
			Tag:    fmt.Sprintf("`json:%q`", tag),
			Doc:    fieldDoc(f, d.get(idl.MemberKey(t.Name, p.Name)), goName, p, p.Optional),
		})
	}
	return s, nil
}
