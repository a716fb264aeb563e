package kurentotest

import (
	"fmt"
	"strings"
)

// This file checks the hub operations (the ports they name must belong to
// the hub) and answers getGstreamerDot with a plausible graph.

func init() {
	// A real KMS's Dispatcher connects HubPorts of any hub (it fails, 40004
	// "Can not connect ports", only when GStreamer cannot link them).
	registerOps("Dispatcher", map[string]opFunc{
		// Any hub's ports: the link is kept for the media engine.
		"connect": func(x *invocation) (any, *rpcError) {
			setHubLink(x.obj, hubLink{source: x.str("source"), sink: x.str("sink")})
			return nil, nil
		},
	})
	registerOps("DispatcherOneToMany", map[string]opFunc{
		// A real KMS takes a HubPort of another hub as source.
		"setSource": func(x *invocation) (any, *rpcError) {
			x.obj.ext["source"] = x.str("source")
			return nil, nil
		},
		"removeSource": func(x *invocation) (any, *rpcError) {
			delete(x.obj.ext, "source")
			return nil, nil
		},
	})
	mixer := func(connect bool) opFunc {
		return func(x *invocation) (any, *rpcError) {
			mt := x.str("media")
			if mt != "AUDIO" && mt != "VIDEO" {
				return nil, kmsError(codeUnsupportedMediaType, "Invalid media type")
			}
			if err := x.ownPorts("source", "sink"); err != nil {
				return nil, err
			}
			l := hubLink{source: x.str("source"), sink: x.str("sink"), kind: mt}
			if connect {
				setHubLink(x.obj, l)
			} else {
				removeHubLink(x.obj, l)
			}
			return nil, nil
		}
	}
	registerOps("Mixer", map[string]opFunc{"connect": mixer(true), "disconnect": mixer(false)})
	registerOps("AlphaBlending", map[string]opFunc{
		// A real KMS takes a HubPort of another hub as master.
		"setMaster": func(*invocation) (any, *rpcError) { return nil, nil },
		// A real KMS takes a HubPort of another hub here too.
		"setPortProperties": func(*invocation) (any, *rpcError) { return nil, nil },
	})
	dot := func(x *invocation) (any, *rpcError) { return x.st.gstreamerDot(x.obj), nil }
	registerOps("Hub", map[string]opFunc{"getGstreamerDot": dot})
	registerOps("MediaPipeline", map[string]opFunc{"getGstreamerDot": dot})
	registerOps("MediaElement", map[string]opFunc{
		"getGstreamerDot": dot,
		"getElementGstreamerDot": func(x *invocation) (any, *rpcError) {
			return x.st.gstreamerDot(x.obj), nil
		},
	})
}

// ownPorts checks that the HubPort parameters name ports of this hub.
func (x *invocation) ownPorts(params ...string) *rpcError {
	for _, p := range params {
		id := x.str(p)
		port, ok := x.st.objects[id]
		if !ok {
			return kmsError(codeObjectNotFound, "Object '"+id+"' not found")
		}
		if port.typ != "HubPort" || port.parent != x.obj.id {
			return kmsError(codeConnect, "HubPort '"+id+"' does not belong to hub '"+x.obj.id+"'")
		}
	}
	return nil
}

// gstreamerDot draws the object and its descendants as boxes, and the
// media links between them.
func (st *state) gstreamerDot(o *object) string {
	var b strings.Builder
	name := func(id string) string {
		return strings.ReplaceAll(id[strings.LastIndexByte(id, '/')+1:], "-", "_")
	}
	fmt.Fprintf(&b, "digraph pipeline {\n  rankdir=LR;\n  fontname=\"sans\";\n  fontsize=\"10\";\n  labelloc=t;\n  nodesep=.1;\n  ranksep=.2;\n")
	fmt.Fprintf(&b, "  label=\"<%s>\\n%s\\n[>]\";\n", o.typ, name(o.id))
	fmt.Fprintf(&b, "  node [style=\"filled,rounded\", shape=box, fontsize=\"9\", fontname=\"sans\", margin=\"0.0,0.0\"];\n")
	fmt.Fprintf(&b, "  edge [labelfontsize=\"6\", fontsize=\"9\", fontname=\"monospace\"];\n\n")
	in := map[string]bool{o.id: true}
	var walk func(id string, depth int)
	walk = func(id string, depth int) {
		x, ok := st.objects[id]
		if !ok {
			return
		}
		in[id] = true
		fmt.Fprintf(&b, "%s\"%s\" [label=\"%s\\n[>]\", fillcolor=\"#aaffaa\"];\n", strings.Repeat("  ", depth), name(id), x.typ)
		for _, c := range x.children {
			walk(c, depth+1)
		}
	}
	if len(o.children) == 0 {
		walk(o.id, 1)
	}
	for _, c := range o.children {
		walk(c, 1)
	}
	for _, l := range st.links {
		if in[l.source] && in[l.sink] {
			fmt.Fprintf(&b, "  \"%s\" -> \"%s\" [label=\"%s\"];\n", name(l.source), name(l.sink), strings.ToLower(l.mediaType))
		}
	}
	b.WriteString("}\n")
	return b.String()
}
