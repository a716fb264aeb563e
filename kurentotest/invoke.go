package kurentotest

import (
	"strconv"
	"strings"

	"github.com/gokurento/kurento/internal/idl"
)

// invocation is one invoke being executed.
type invocation struct {
	st  *state
	cx  *callCtx
	sid string
	obj *object
	op  string
	// params are the checked operation parameters, defaults applied.
	params map[string]any
	method *idl.Method   // nil for property accessors
	prop   *idl.Property // set for get<Prop>/set<Prop>
}

// str returns the String (or object reference) parameter name. readParams
// has checked its type, so only an absent optional parameter reads as "".
func (x *invocation) str(name string) string {
	v, _ := x.params[name].(string)
	return v
}

// opFunc implements an operation; it returns the value of the result.
type opFunc func(x *invocation) (any, *rpcError)

// ops holds the operations with behaviour beyond storing and returning
// values, keyed "<Class>.<operation>". Dispatch walks from the object's
// class up to MediaObject. Feature files add to it in init functions.
var ops = map[string]opFunc{}

func registerOps(class string, m map[string]opFunc) {
	for op, fn := range m {
		ops[class+"."+op] = fn
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// resolve finds what operation op means on class: a method, a property
// getter or a property setter.
func (c *catalog) resolve(class, op string) (m *idl.Method, p *idl.Property, setter bool, ok bool) {
	for _, mm := range c.f.AllMethods(class) {
		if mm.Name == op {
			return &mm, nil, false, true
		}
	}
	for _, pp := range c.f.AllProperties(class) {
		if op == "get"+upperFirst(pp.Name) {
			return nil, &pp, false, true
		}
		if pp.Writable() && op == "set"+upperFirst(pp.Name) {
			return nil, &pp, true, true
		}
	}
	return nil, nil, false, false
}

func (st *state) invoke(cx *callCtx, p map[string]any) (any, *rpcError) {
	op, _, err := getString(p, "operation", true)
	if err != nil {
		return nil, err
	}
	id, _, err := getString(p, "object", true)
	if err != nil {
		return nil, err
	}
	sid := sessionOrNew(p)
	o, err := st.lookup(sid, id)
	if err != nil {
		return nil, err
	}
	opv, has := p["operationParams"]
	opp, isObj := opv.(map[string]any)
	if has && opv != nil && !isObj {
		return nil, kmsError(codeMarshall, "'operationParams' should be an object")
	}
	m, prop, setter, ok := st.s.cat.resolve(o.typ, op)
	if !ok {
		return nil, kmsError(codeMalformedTransaction,
			"Method '"+op+"' with "+strconv.Itoa(len(opp))+" parameters not found")
	}
	var specs []paramSpec
	switch {
	case m != nil:
		specs = toSpecs(m.Params)
	case setter:
		specs = []paramSpec{{name: prop.Name, typ: prop.Type}}
	}
	vals, err := st.readParams(sid, specs, opp)
	if err != nil {
		return nil, err
	}
	x := &invocation{st: st, cx: cx, sid: sid, obj: o, op: op, params: vals, method: m, prop: prop}
	v, err := x.run(setter)
	if err != nil {
		return nil, err
	}
	return result(sid, v, true), nil
}

func (x *invocation) run(setter bool) (any, *rpcError) {
	cat := x.st.s.cat
	for _, class := range append([]string{x.obj.typ}, cat.f.Hierarchy(x.obj.typ)...) {
		if fn, ok := ops[class+"."+x.op]; ok {
			return fn(x)
		}
	}
	switch {
	case setter:
		x.obj.props[x.prop.Name] = x.params[x.prop.Name]
		return nil, nil
	case x.prop != nil:
		if v, ok := x.obj.props[x.prop.Name]; ok {
			return v, nil
		}
		return cat.zero(x.prop.Type), nil
	case x.method.Return != nil:
		return cat.zero(*x.method.Return), nil
	}
	return nil, nil
}

// pipelineOf returns the id of the pipeline an object belongs to.
func (st *state) pipelineOf(o *object) string {
	for cur := o; cur != nil; cur = st.objects[cur.parent] {
		if cur.typ == "MediaPipeline" {
			return cur.id
		}
		if cur.parent == "" {
			break
		}
	}
	return ""
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var mediaTypes = []string{"AUDIO", "VIDEO", "DATA"}

func init() {
	registerOps("MediaObject", map[string]opFunc{
		"getId":     func(x *invocation) (any, *rpcError) { return x.obj.id, nil },
		"getParent": func(x *invocation) (any, *rpcError) { return nullable(x.obj.parent), nil },
		"getMediaPipeline": func(x *invocation) (any, *rpcError) {
			return nullable(x.st.pipelineOf(x.obj)), nil
		},
		"getCreationTime": func(x *invocation) (any, *rpcError) { return x.obj.created.Unix(), nil },
		"getChildren": func(x *invocation) (any, *rpcError) {
			out := []any{}
			for _, c := range x.obj.children {
				out = append(out, c)
			}
			return out, nil
		},
		"getName": func(x *invocation) (any, *rpcError) {
			if n, ok := x.obj.props["name"].(string); ok {
				return n, nil
			}
			return x.obj.id, nil
		},
		"addTag": func(x *invocation) (any, *rpcError) {
			k, v := x.str("key"), x.str("value")
			for i := range x.obj.tags {
				if x.obj.tags[i].key == k {
					x.obj.tags[i].value = v
					return nil, nil
				}
			}
			x.obj.tags = append(x.obj.tags, tag{k, v})
			return nil, nil
		},
		"removeTag": func(x *invocation) (any, *rpcError) {
			k := x.str("key")
			for i := range x.obj.tags {
				if x.obj.tags[i].key == k {
					x.obj.tags = append(x.obj.tags[:i], x.obj.tags[i+1:]...)
					break
				}
			}
			return nil, nil
		},
		"getTag": func(x *invocation) (any, *rpcError) {
			k := x.str("key")
			for _, t := range x.obj.tags {
				if t.key == k {
					return t.value, nil
				}
			}
			return nil, kmsError(codeTagKeyNotFound, "Tag key not found")
		},
		"getTags": func(x *invocation) (any, *rpcError) {
			out := []any{}
			for _, t := range x.obj.tags {
				out = append(out, tagValue(t))
			}
			return out, nil
		},
	})
	registerOps("BaseRtpEndpoint", map[string]opFunc{
		// KMS 7.3 accepts this setter and keeps answering the default 100.
		"setMinVideoRecvBandwidth": func(*invocation) (any, *rpcError) { return nil, nil },
	})
	registerOps("MediaElement", map[string]opFunc{
		"connect":              elementConnect,
		"disconnect":           elementDisconnect,
		"getSourceConnections": func(x *invocation) (any, *rpcError) { return x.connections(false), nil },
		"getSinkConnections":   func(x *invocation) (any, *rpcError) { return x.connections(true), nil },
		"isMediaFlowingIn":     flowCheck(flowIn),
		"isMediaFlowingOut":    flowCheck(flowOut),
		"isMediaTranscoding":   mediaTypeCheck(false),
		// No media, no stats: KMS writes the empty map as null.
		"getStats": func(*invocation) (any, *rpcError) { return nil, nil },
	})
}

// mediaTypeCheck answers v for AUDIO/VIDEO and rejects DATA like KMS.
func mediaTypeCheck(v bool) opFunc {
	return func(x *invocation) (any, *rpcError) {
		if x.params["mediaType"] == "DATA" {
			return nil, kmsError(codeIllegalParam, "Media type DATA is not supported for MediaTranscoding")
		}
		return v, nil
	}
}

func descOrDefault(v any) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return "default"
}

func elementConnect(x *invocation) (any, *rpcError) {
	st := x.st
	sink := x.str("sink")
	so := st.objects[sink]
	if st.pipelineOf(x.obj) != st.pipelineOf(so) {
		return nil, kmsError(codeConnect, "Media elements do not share pipeline")
	}
	srcDesc := descOrDefault(x.params["sourceMediaDescription"])
	sinkDesc := descOrDefault(x.params["sinkMediaDescription"])
	types := mediaTypes
	if mt, ok := x.params["mediaType"].(string); ok {
		types = []string{mt}
	}
	for _, t := range types {
		exists := false
		var old []*link
		for _, l := range st.links {
			if l.sink == sink && l.mediaType == t && l.sinkDesc == sinkDesc {
				if l.source == x.obj.id && l.sourceDesc == srcDesc {
					exists = true
				} else {
					old = append(old, l)
				}
			}
		}
		for _, l := range old {
			st.removeLink(l)
			st.emitLink("ElementDisconnected", l)
		}
		nl := &link{source: x.obj.id, sink: sink, mediaType: t, sourceDesc: srcDesc, sinkDesc: sinkDesc}
		if !exists {
			st.links = append(st.links, nl)
		}
		st.emitLink("ElementConnected", nl)
	}
	st.propagate(x.obj.id)
	return nil, nil
}

func elementDisconnect(x *invocation) (any, *rpcError) {
	st := x.st
	sink := x.str("sink")
	srcDesc := descOrDefault(x.params["sourceMediaDescription"])
	sinkDesc := descOrDefault(x.params["sinkMediaDescription"])
	types := mediaTypes
	if mt, ok := x.params["mediaType"].(string); ok {
		types = []string{mt}
	}
	for _, t := range types {
		l := &link{source: x.obj.id, sink: sink, mediaType: t, sourceDesc: srcDesc, sinkDesc: sinkDesc}
		for _, e := range st.links {
			if *e == *l {
				st.removeLink(e)
				break
			}
		}
		st.emitLink("ElementDisconnected", l)
	}
	return nil, nil
}

func (st *state) removeLink(l *link) {
	for i, e := range st.links {
		if e == l {
			st.links = append(st.links[:i], st.links[i+1:]...)
			return
		}
	}
}

// connections lists ElementConnectionData where the object is the source
// (sinks true) or the sink.
func (x *invocation) connections(sinks bool) []any {
	mt, _ := x.params["mediaType"].(string)
	desc, _ := x.params["description"].(string)
	out := []any{}
	for _, l := range x.st.links {
		end, d := l.sink, l.sinkDesc
		if sinks {
			end, d = l.source, l.sourceDesc
		}
		if end != x.obj.id || (mt != "" && l.mediaType != mt) || (desc != "" && d != desc) {
			continue
		}
		out = append(out, map[string]any{
			"__module__":        "kurento",
			"__type__":          "ElementConnectionData",
			"source":            l.source,
			"sink":              l.sink,
			"type":              l.mediaType,
			"sourceDescription": l.sourceDesc,
			"sinkDescription":   l.sinkDesc,
		})
	}
	return out
}
