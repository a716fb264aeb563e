package kurentotest

import (
	"fmt"
	"strings"

	"github.com/gokurento/kurento/internal/kms"
)

// This file answers getGstreamerDot with a plausible graph of the object,
// its descendants and the links between them (the fake has no GStreamer
// pipeline to draw).

func dotBehaviour() behaviour {
	dot := func(x *invocation) (any, *rpcError) { return x.st.gstreamerDot(x.obj), nil }
	ops := []classOp{
		{class: "Hub", op: "getGstreamerDot", fn: dot},
		{class: "MediaPipeline", op: "getGstreamerDot", fn: dot},
		{class: "MediaElement", op: "getGstreamerDot", fn: dot},
		{class: "MediaElement", op: "getElementGstreamerDot", fn: dot},
	}
	return behaviour{name: "GStreamer graphs", ops: ops}
}

// gstreamerDot draws the object and its descendants as boxes, and the
// media links between them.
func (st *state) gstreamerDot(o *object) string {
	var b strings.Builder
	name := func(id string) string {
		return strings.ReplaceAll(kms.IDSegment(id), "-", "_")
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
