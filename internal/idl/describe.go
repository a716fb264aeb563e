package idl

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
)

// The project's own words for the IDL items live in descriptions/*.txt,
// next to the facts. facts.json says what exists; these files say what it
// is for: what a class does, what a method returns, the units and ranges
// of a value, its default, when the server refuses it. They are written
// for this project from the protocol facts and from what a real KMS does,
// and are reviewed like code. The generator merges them into the doc
// comments of the typed handles, events and types.
//
// # File format
//
// A file is a sequence of entries. An entry starts with a header line at
// column 0, "kind key", followed by its text on lines indented by a tab or
// spaces. Text lines are joined with single spaces; an empty line between
// two text lines of one entry starts a new paragraph. Lines starting with
// "#" at column 0 are comments.
//
//	class WebRtcEndpoint
//		An endpoint that exchanges media with a browser or any other
//		WebRTC peer.
//
//	method WebRtcEndpoint.gatherCandidates
//		Starts gathering local ICE candidates...
//
// The kinds and their keys, with the IDL spelling of every name:
//
//	class C          a class
//	ctor C.p         a constructor parameter of class C
//	method C.m       a method of class C
//	param C.m.p      a parameter of method m of class C
//	property C.p     a property of class C
//	event E          an event
//	field E.p        a property of event E (declared by E itself)
//	type T           a struct or enum
//	member T.p       a field of struct T, or a value of enum T
//
// Every item of the built-in facts must be described except enum values,
// which may be; see [Descriptions.Missing].
//
// # Grammar
//
// The generator puts the Go name in front of the text, so the first
// sentence continues it:
//
//   - class, event, type: a predicate, "is an endpoint that ..."
//     (rendered "WebRtcEndpoint is an endpoint that ...");
//   - method: a verb in the third person, "processes the offer ... and
//     returns the SDP answer" (rendered "ProcessOffer processes ...");
//   - property: a noun phrase, "the STUN server's address ..." or
//     "whether ...", which follows "GetX returns" and "SetX sets";
//   - ctor, param, field, member: a noun phrase, "the pipeline ...".
//
// Later sentences are ordinary sentences.

//go:embed descriptions/*.txt
var descriptionFiles embed.FS

// DescKind is the kind of IDL item a description is about.
type DescKind string

// The kinds of described items; see the file format above.
const (
	DescClass    DescKind = "class"
	DescCtor     DescKind = "ctor"
	DescMethod   DescKind = "method"
	DescParam    DescKind = "param"
	DescProperty DescKind = "property"
	DescEvent    DescKind = "event"
	DescField    DescKind = "field"
	DescType     DescKind = "type"
	DescMember   DescKind = "member"
)

func (k DescKind) valid() bool {
	switch k {
	case DescClass, DescCtor, DescMethod, DescParam, DescProperty, DescEvent, DescField, DescType, DescMember:
		return true
	}
	return false
}

// DescKey names one described item: its kind and its dotted IDL path,
// such as {DescParam, "WebRtcEndpoint.addIceCandidate.candidate"}.
type DescKey struct {
	Kind DescKind
	Path string
}

func (k DescKey) String() string { return string(k.Kind) + " " + k.Path }

// Key helpers build the DescKey of each kind of item.

// ClassKey is the key of class c.
func ClassKey(c string) DescKey { return DescKey{DescClass, c} }

// CtorKey is the key of constructor parameter p of class c.
func CtorKey(c, p string) DescKey { return DescKey{DescCtor, c + "." + p} }

// MethodKey is the key of method m of class c.
func MethodKey(c, m string) DescKey { return DescKey{DescMethod, c + "." + m} }

// ParamKey is the key of parameter p of method m of class c.
func ParamKey(c, m, p string) DescKey { return DescKey{DescParam, c + "." + m + "." + p} }

// PropertyKey is the key of property p of class c.
func PropertyKey(c, p string) DescKey { return DescKey{DescProperty, c + "." + p} }

// EventKey is the key of event e.
func EventKey(e string) DescKey { return DescKey{DescEvent, e} }

// FieldKey is the key of property p declared by event e.
func FieldKey(e, p string) DescKey { return DescKey{DescField, e + "." + p} }

// TypeKey is the key of struct or enum t.
func TypeKey(t string) DescKey { return DescKey{DescType, t} }

// MemberKey is the key of field or enum value p of type t.
func MemberKey(t, p string) DescKey { return DescKey{DescMember, t + "." + p} }

// Descriptions maps described items to their text. The zero value and nil
// hold no descriptions. A Descriptions is read-only once built and safe for
// concurrent use.
type Descriptions struct {
	text map[DescKey]string
}

// Get returns the description of k: paragraphs separated by "\n\n", each
// one line. It returns "" when k is not described.
func (d *Descriptions) Get(k DescKey) string {
	if d == nil {
		return ""
	}
	return d.text[k]
}

// Len returns the number of described items.
func (d *Descriptions) Len() int {
	if d == nil {
		return 0
	}
	return len(d.text)
}

var loadDescriptions = sync.OnceValues(func() (*Descriptions, error) {
	names, err := fs.Glob(descriptionFiles, "descriptions/*.txt")
	if err != nil {
		return nil, err
	}
	all := &Descriptions{text: map[DescKey]string{}}
	for _, name := range names {
		data, err := descriptionFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		d, err := ParseDescriptions(name, data)
		if err != nil {
			return nil, err
		}
		if err := all.add(d, name); err != nil {
			return nil, err
		}
	}
	return all, nil
})

// LoadDescriptions returns the embedded descriptions of the built-in
// modules, parsed once. The result must be treated as read-only.
func LoadDescriptions() (*Descriptions, error) { return loadDescriptions() }

// Merge returns the union of d and others; an item described twice is an
// error naming the second source.
func (d *Descriptions) Merge(others ...*Descriptions) (*Descriptions, error) {
	out := &Descriptions{text: map[DescKey]string{}}
	if err := out.add(d, "first set"); err != nil {
		return nil, err
	}
	for i, o := range others {
		if err := out.add(o, fmt.Sprintf("set %d", i+2)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *Descriptions) add(o *Descriptions, source string) error {
	if o == nil {
		return nil
	}
	for k, v := range o.text {
		if _, dup := d.text[k]; dup {
			return fmt.Errorf("idl: %s: %s is described twice", source, k)
		}
		d.text[k] = v
	}
	return nil
}

// ParseDescriptions reads one description file; name is used in errors.
func ParseDescriptions(name string, data []byte) (*Descriptions, error) {
	d := &Descriptions{text: map[DescKey]string{}}
	var (
		cur   DescKey
		paras []string
		line  []string // words of the paragraph being read
		blank bool     // a blank line since the last text line
		n     int
	)
	flush := func() error {
		if cur.Kind == "" {
			return nil
		}
		if len(line) > 0 {
			paras = append(paras, strings.Join(line, " "))
		}
		if len(paras) == 0 {
			return fmt.Errorf("idl: %s:%d: %s has no text", name, n, cur)
		}
		if _, dup := d.text[cur]; dup {
			return fmt.Errorf("idl: %s:%d: %s is described twice", name, n, cur)
		}
		d.text[cur] = strings.Join(paras, "\n\n")
		cur, paras, line, blank = DescKey{}, nil, nil, false
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		n++
		s := strings.TrimRight(sc.Text(), " \t\r")
		switch {
		case s == "":
			blank = true
		case s[0] == '#':
		case s[0] == ' ' || s[0] == '\t':
			if cur.Kind == "" {
				return nil, fmt.Errorf("idl: %s:%d: text before any header", name, n)
			}
			if blank && len(line) > 0 {
				paras = append(paras, strings.Join(line, " "))
				line = nil
			}
			blank = false
			line = append(line, strings.TrimSpace(s))
		default:
			if err := flush(); err != nil {
				return nil, err
			}
			kind, path, ok := strings.Cut(s, " ")
			if !ok || !DescKind(kind).valid() || path == "" || strings.ContainsAny(path, " \t") {
				return nil, fmt.Errorf("idl: %s:%d: want a header \"kind key\" with a kind of class, ctor, method, param, property, event, field, type or member; got %q", name, n, s)
			}
			cur = DescKey{DescKind(kind), path}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("idl: %s: %w", name, err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return d, nil
}

// Items lists the keys of every item of f that can be described, in a
// stable order; required reports whether the item must be (every item but
// enum values).
func (f *Facts) Items() (keys []DescKey, required []bool) {
	add := func(k DescKey, req bool) {
		keys = append(keys, k)
		required = append(required, req)
	}
	for _, c := range f.Classes {
		add(ClassKey(c.Name), true)
		if c.Constructor != nil {
			for _, p := range c.Constructor.Params {
				add(CtorKey(c.Name, p.Name), true)
			}
		}
		for _, p := range c.Properties {
			add(PropertyKey(c.Name, p.Name), true)
		}
		for _, m := range c.Methods {
			add(MethodKey(c.Name, m.Name), true)
			for _, p := range m.Params {
				add(ParamKey(c.Name, m.Name, p.Name), true)
			}
		}
	}
	for _, e := range f.Events {
		add(EventKey(e.Name), true)
		for _, p := range e.Properties {
			add(FieldKey(e.Name, p.Name), true)
		}
	}
	for _, t := range f.Types {
		add(TypeKey(t.Name), true)
		for _, v := range t.Values {
			add(MemberKey(t.Name, v), false)
		}
		for _, p := range t.Properties {
			add(MemberKey(t.Name, p.Name), true)
		}
	}
	return keys, required
}

// Missing lists the required items of f, restricted to the given modules
// (all when none are given), that d does not describe.
func (d *Descriptions) Missing(f *Facts, modules ...string) []DescKey {
	keys, required := f.Items()
	var out []DescKey
	for i, k := range keys {
		if required[i] && d.Get(k) == "" && f.inModules(k, modules) {
			out = append(out, k)
		}
	}
	return out
}

// Unknown lists the keys of d that name no item of f, sorted: a misspelt
// or outdated header.
func (d *Descriptions) Unknown(f *Facts) []DescKey {
	keys, _ := f.Items()
	known := make(map[DescKey]bool, len(keys))
	for _, k := range keys {
		known[k] = true
	}
	var out []DescKey
	for k := range d.text {
		if !known[k] {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b DescKey) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// inModules reports whether the item k belongs to one of modules (any
// module when modules is empty).
func (f *Facts) inModules(k DescKey, modules []string) bool {
	if len(modules) == 0 {
		return true
	}
	owner, _, _ := strings.Cut(k.Path, ".")
	var mod string
	switch k.Kind {
	case DescClass, DescCtor, DescMethod, DescParam, DescProperty:
		if c, ok := f.Class(owner); ok {
			mod = c.Module
		}
	case DescEvent, DescField:
		if e, ok := f.Event(owner); ok {
			mod = e.Module
		}
	case DescType, DescMember:
		if t, ok := f.Type(owner); ok {
			mod = t.Module
		}
	}
	return slices.Contains(modules, mod)
}
