package kmdgen

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/gokurento/kurento/internal/idl"
)

// docs gives the project's description of an IDL item: one or two
// sentences of meaning, "" when the item has none (a custom module's).
// Keys follow the IDL names; method is "" for a constructor.
type docs interface {
	Class(class string) string
	Param(class, method, param string) string
	Method(class, method string) string
	Property(class, prop string) string
	Event(event string) string
	EventField(event, field string) string
	Type(name string) string
	Member(typ, member string) string
}

// noDocs has no description for anything.
type noDocs struct{}

func (noDocs) Class(string) string                 { return "" }
func (noDocs) Param(string, string, string) string { return "" }
func (noDocs) Method(string, string) string        { return "" }
func (noDocs) Property(string, string) string      { return "" }
func (noDocs) Event(string) string                 { return "" }
func (noDocs) EventField(string, string) string    { return "" }
func (noDocs) Type(string) string                  { return "" }
func (noDocs) Member(string, string) string        { return "" }

// docsOrNone returns d, or noDocs when d is nil.
func docsOrNone(d docs) docs {
	if d == nil {
		return noDocs{}
	}
	return d
}

// continueWith turns a description ("Returns the SDP answer.") into the
// rest of a sentence that starts with a Go name ("ProcessOffer returns
// the SDP answer."): the first letter is lowered unless the first word is
// an acronym or a name.
func continueWith(desc string) string {
	desc = strings.TrimSpace(desc)
	if desc == "" {
		return ""
	}
	word, _, _ := strings.Cut(desc, " ")
	rs := []rune(word)
	if len(rs) > 1 && unicode.IsUpper(rs[1]) { // SDP, ICE...
		return desc
	}
	if len(rs) > 1 && strings.ContainsFunc(string(rs[1:]), unicode.IsUpper) { // WebRtcEndpoint...
		return desc
	}
	return string(unicode.ToLower(rs[0])) + desc[len(string(rs[0])):]
}

// named starts a doc with Go name n followed by description desc: "n is
// the ..." for a description written as a noun phrase ("The SDP offer."),
// "n: desc" otherwise.
func named(n, desc string) string {
	desc = sentence(desc)
	for _, a := range []string{"The ", "A ", "An "} {
		if strings.HasPrefix(desc, a) {
			return n + " is " + continueWith(desc)
		}
	}
	return n + ": " + desc
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
	s := fmt.Sprintf("%s is the handle of %s %s object (%s module).", c.Name, article(c.Name), c.Name, c.Module)
	if d := h.d.Class(c.Name); d != "" {
		s += " " + sentence(d)
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
		d := h.d.Param(class, method, a.p.Name)
		if d == "" {
			continue
		}
		out = append(out, named(a.goName, d))
	}
	return strings.Join(out, " ")
}

// optionDoc is the doc of an options struct field.
func (h hctx) optionDoc(class, method string, a arg) string {
	s := fmt.Sprintf("%s sets the optional %s parameter.", a.field, a.p.Name)
	if d := h.d.Param(class, method, a.p.Name); d != "" {
		s = named(a.field, d)
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
		s = fmt.Sprintf("%s reads the %s property", m.goName, m.prop.Name)
		if d := h.d.Property(c, m.prop.Name); d != "" {
			s += ": " + sentence(continueWith(d))
		} else {
			s += "."
		}
		if m.prop.Final {
			s += " It is set when the object is created and never changes."
		}
	case m.prop != nil:
		s = fmt.Sprintf("%s changes the %s property", m.goName, m.prop.Name)
		if d := h.d.Property(c, m.prop.Name); d != "" {
			s += ": " + sentence(continueWith(d))
		} else {
			s += "."
		}
	default:
		if d := h.d.Method(c, m.m.Name); d != "" {
			s = m.goName + " " + sentence(continueWith(d))
		} else {
			s = fmt.Sprintf("%s calls the %s method of %s on the server.", m.goName, m.m.Name, c)
		}
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
	p, n := h.handleOf(t.Name)
	if n != t.Name {
		return fmt.Sprintf(" This package cannot import the %s handle, so the result is a %s handle: "+
			"%s.Lookup%s, or %s.%sFromObject on its Object, gives the typed one.", t.Name, n, h.pkgOf(t.Name), t.Name, h.pkgOf(t.Name), t.Name)
	}
	_ = p
	if cl, _ := h.f.Class(n); cl.Abstract || h.hasSubclasses(n) {
		return fmt.Sprintf(" Results are %s handles of the declared class; the Lookup functions of the handle "+
			"packages check and give the concrete one.", n)
	}
	return ""
}

// eventSubDoc is the doc of On<e>.
func (h hctx) eventSubDoc(e string) string {
	s := fmt.Sprintf("%s subscribes to the %s events of the object", eventMethod(e), e)
	if d := h.d.Event(e); d != "" {
		s += " (" + strings.TrimSuffix(continueWith(d), ".") + ")"
	}
	return s + "; the package documentation says when the channel closes."
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
