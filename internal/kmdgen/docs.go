package kmdgen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/gokurento/kurento/internal/idl"
)

// Docs holds the descriptions the generator merges into doc comments:
// the project's description files (internal/idl/descriptions, or a custom
// module's own file in that format), whose texts continue a sentence that
// starts with the Go name, and, as a fallback for a custom module, the doc
// strings of its kmd.json files, which are whole sentences. The zero value
// and nil hold none; the comments then fall back to a short neutral
// sentence.
type Docs struct {
	project *idl.Descriptions
	kmd     map[idl.DescKey]string
}

// NewDocs returns the descriptions of project (nil for none) with the doc
// strings of the given kmd.json files as a fallback.
func NewDocs(project *idl.Descriptions, kmdFiles ...[]byte) (*Docs, error) {
	d := &Docs{project: project, kmd: map[idl.DescKey]string{}}
	for _, b := range kmdFiles {
		if err := d.addKMD(b); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// desc is a description: Text continues a sentence started by the Go
// name, unless Whole, when it is made of whole sentences.
type desc struct {
	Text  string
	Whole bool
}

func (d *Docs) get(k idl.DescKey) desc {
	if d == nil {
		return desc{}
	}
	if t := d.project.Get(k); t != "" {
		return desc{Text: t}
	}
	if t := d.kmd[k]; t != "" {
		return desc{Text: t, Whole: true}
	}
	return desc{}
}

// param is the description of parameter p of method (the constructor
// when method is "") of class.
func (d *Docs) param(class, method, p string) desc {
	if method == "" {
		return d.get(idl.CtorKey(class, p))
	}
	return d.get(idl.ParamKey(class, method, p))
}

// kmdDoc mirrors the doc strings of a kmd.json file.
type kmdDoc struct {
	RemoteClasses []struct {
		Name        string `json:"name"`
		Doc         string `json:"doc"`
		Constructor *struct {
			Params []kmdNamed `json:"params"`
		} `json:"constructor"`
		Methods []struct {
			Name   string     `json:"name"`
			Doc    string     `json:"doc"`
			Params []kmdNamed `json:"params"`
		} `json:"methods"`
		Properties []kmdNamed `json:"properties"`
	} `json:"remoteClasses"`
	ComplexTypes []struct {
		Name       string     `json:"name"`
		Doc        string     `json:"doc"`
		Properties []kmdNamed `json:"properties"`
	} `json:"complexTypes"`
	Events []struct {
		Name       string     `json:"name"`
		Doc        string     `json:"doc"`
		Properties []kmdNamed `json:"properties"`
	} `json:"events"`
}

type kmdNamed struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// addKMD reads the doc strings of one kmd.json file.
func (d *Docs) addKMD(b []byte) error {
	var f kmdDoc
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("kmd docs: %w", err)
	}
	put := func(k idl.DescKey, text string) {
		if t := cleanKMDDoc(text); t != "" {
			d.kmd[k] = t
		}
	}
	for _, c := range f.RemoteClasses {
		put(idl.ClassKey(c.Name), c.Doc)
		if c.Constructor != nil {
			for _, p := range c.Constructor.Params {
				put(idl.CtorKey(c.Name, p.Name), p.Doc)
			}
		}
		for _, m := range c.Methods {
			put(idl.MethodKey(c.Name, m.Name), m.Doc)
			for _, p := range m.Params {
				put(idl.ParamKey(c.Name, m.Name, p.Name), p.Doc)
			}
		}
		for _, p := range c.Properties {
			put(idl.PropertyKey(c.Name, p.Name), p.Doc)
		}
	}
	for _, t := range f.ComplexTypes {
		put(idl.TypeKey(t.Name), t.Doc)
		for _, p := range t.Properties {
			put(idl.MemberKey(t.Name, p.Name), p.Doc)
		}
	}
	for _, e := range f.Events {
		put(idl.EventKey(e.Name), e.Doc)
		for _, p := range e.Properties {
			put(idl.FieldKey(e.Name, p.Name), p.Doc)
		}
	}
	return nil
}

// kmdRole matches the Sphinx roles kmd doc strings use, such as
// :rom:cls:`MediaPipeline`.
var kmdRole = regexp.MustCompile("(?::[a-z]+)+:`([^`]*)`")

// cleanKMDDoc turns a kmd doc string into plain sentences: roles and
// markup removed, white space collapsed, paragraphs kept.
func cleanKMDDoc(s string) string {
	s = kmdRole.ReplaceAllString(s, "$1")
	s = strings.NewReplacer("``", "", "`", "", "**", "", "\r", "").Replace(s)
	var paras []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			paras = append(paras, p)
		}
	}
	return strings.Join(paras, "\n\n")
}

// lead starts a doc comment with name: name followed by d when d continues
// a sentence, else the neutral sentence followed by d's whole sentences.
func lead(name string, d desc, neutral string) string {
	switch {
	case d.Text == "":
		return neutral
	case d.Whole:
		return neutral + " " + sentence(d.Text)
	}
	return name + " " + sentence(d.Text)
}

// firstParagraph returns the first paragraph of s.
func firstParagraph(s string) string {
	p, _, _ := strings.Cut(s, "\n\n")
	return p
}

// named starts the doc of parameter or field n with its description d,
// a noun phrase ("the SDP offer", "whether ..."): "n is the SDP offer.",
// "n tells whether ...". Whole sentences follow "n:".
func named(n string, d desc) string {
	switch {
	case d.Whole:
		return n + ": " + sentence(d.Text)
	case strings.HasPrefix(d.Text, "whether "):
		return n + " tells " + sentence(d.Text)
	}
	return n + " is " + sentence(d.Text)
}

// sentence ends s with a period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// classDoc is the doc of the handle type of c.
func (h hctx) classDoc(c idl.Class) string {
	what := fmt.Sprintf("the handle of %s %s object (%s module)", article(c.Name), c.Name, c.Module)
	d := h.d.get(idl.ClassKey(c.Name))
	s := lead(c.Name, d, c.Name+" is "+what+".")
	if d.Text != "" && !d.Whole {
		s += "\n\nThe type is " + what + "."
	}
	if c.Abstract {
		s += " The server never creates this class itself; handles of it stand for objects of a subclass."
	}
	return s
}

// paramDocs lists the descriptions of the required parameters, one
// sentence each, naming the Go parameter.
func (h hctx) paramDocs(class, method string, req []arg) string {
	var out []string
	for _, a := range req {
		d := h.d.param(class, method, a.p.Name)
		if d.Text == "" {
			continue
		}
		out = append(out, named(a.goName, desc{Text: firstParagraph(d.Text), Whole: d.Whole}))
	}
	return strings.Join(out, "\n\n")
}

// optionDoc is the doc of an options struct field.
func (h hctx) optionDoc(class, method string, a arg) string {
	s := fmt.Sprintf("%s sets the optional %s parameter.", a.field, a.p.Name)
	switch d := h.d.param(class, method, a.p.Name); {
	case d.Text == "":
	case d.Whole:
		s += " " + sentence(d.Text)
	default:
		s = a.field + " sets " + sentence(d.Text)
	}
	if strings.HasPrefix(a.apiTyp, "*") || a.ref {
		s += " Nil leaves it to the server"
	} else {
		s += " The empty value leaves it to the server"
	}
	if len(a.p.Default) > 0 {
		s += fmt.Sprintf(", which uses %s", a.p.Default)
	}
	return s + "."
}

// ctorDoc is the doc of New<C>.
func (h hctx) ctorDoc(c idl.Class, req []arg, parent *arg) string {
	s := fmt.Sprintf("New%s creates %s %s", c.Name, article(c.Name), c.Name)
	if parent != nil {
		s += " in " + parent.goName
	}
	s += " and returns its handle."
	if parent != nil {
		s += fmt.Sprintf(" When %s is pending in a transaction, the new object joins it.", parent.goName)
	} else {
		s += " cr is a *client.Client, or a *client.Tx to create it in a transaction."
	}
	if p := h.paramDocs(c.Name, "", req); p != "" {
		s += "\n\n" + p
	}
	return s
}

// methodDoc is the doc of member m of class c (the declaring class).
func (h hctx) methodDoc(c string, m member, req []arg) string {
	var s string
	switch {
	case m.prop != nil && !m.setter:
		d := h.d.get(idl.PropertyKey(c, m.prop.Name))
		s = lead(m.goName+" returns", d, fmt.Sprintf("%s reads the %s property.", m.goName, m.prop.Name))
		if m.prop.Final {
			s += " It is set when the object is created and never changes."
		}
	case m.prop != nil:
		d := h.d.get(idl.PropertyKey(c, m.prop.Name))
		s = lead(m.goName+" sets", desc{Text: firstParagraph(d.Text), Whole: d.Whole}, fmt.Sprintf("%s changes the %s property.", m.goName, m.prop.Name))
	default:
		d := h.d.get(idl.MethodKey(c, m.m.Name))
		s = lead(m.goName, d, fmt.Sprintf("%s calls the %s method of %s on the server.", m.goName, m.m.Name, c))
		if p := h.paramDocs(c, m.m.Name, req); p != "" {
			s += "\n\n" + p
		}
	}
	for _, a := range req {
		if isSDP(a.p) {
			s += " An empty " + a.goName + " is refused before anything is sent."
		}
	}
	if m.m.Return != nil {
		s += h.returnNote(*m.m.Return)
	}
	return s
}

// returnNote adds what the Go result type does not say: a handle of an
// ancestor class when the package cannot import the class's own.
func (h hctx) returnNote(t idl.TypeRef) string {
	if h.f.Kind(t.Name) != idl.KindClass {
		return ""
	}
	_, n := h.handleOf(t.Name)
	if n != t.Name {
		return fmt.Sprintf(" This package cannot import the %s handle, so the result is a %s handle: "+
			"%s.Lookup%s, or %s.%sFromObject on its Object, gives the typed one.", t.Name, n, h.pkgOf(t.Name), t.Name, h.pkgOf(t.Name), t.Name)
	}
	if cl, _ := h.f.Class(n); cl.Abstract || h.hasSubclasses(n) {
		what := "The result is a " + n + " handle"
		if t.List || t.Map {
			what = "The results are " + n + " handles"
		}
		return " " + what + " of the declared class; the Lookup functions of the handle packages give the concrete one."
	}
	return ""
}

// eventSubDoc is the doc of On<e>.
func (h hctx) eventSubDoc(e string) string {
	s := fmt.Sprintf("%s subscribes to the %s events of the object.", eventMethod(e), e)
	if d := h.d.get(idl.EventKey(e)); d.Text != "" {
		s += " " + lead(e, desc{Text: firstParagraph(d.Text), Whole: d.Whole}, "")
	}
	return strings.TrimSpace(s)
}

// eventsDoc is the doc of Events on class c raising all.
func (h hctx) eventsDoc(c string, all []string) string {
	doc := fmt.Sprintf("Events subscribes to the events of the given types of the object and returns one stream "+
		"delivering them in the order the server sent them. Each value is the event's struct (select with a type "+
		"switch), or an event.Raw for an event that did not decode. %s %s raises %s. See client.SubscribeEvents.",
		strings.ToUpper(article(c)[:1])+article(c)[1:], c, joinAnd(all))
	if h.custom != "" {
		doc = strings.Replace(doc, "the event's struct (select with a type switch)",
			"the event's struct (select with a type switch), from package event or, for this module's events "+
				"when the client was given Module, from this package", 1)
	}
	return doc
}

// lookupDoc is the doc of Lookup<C>.
func lookupDoc(c string) string {
	return fmt.Sprintf("Lookup%s returns the handle of the existing object id after asking the server for its "+
		"class (a describe, which also makes this session a co-owner of the object). It fails with an error "+
		"matching client.ErrWrongClass when the object is not %s %s or of a subclass.", c, article(c), c)
}

// fromObjectDoc is the doc of <C>FromObject.
func fromObjectDoc(c string) string {
	return fmt.Sprintf("%sFromObject wraps o in %s %s handle. Nothing is sent and the class of o is not "+
		"checked; Lookup%s asks the server.", c, article(c), c, c)
}
