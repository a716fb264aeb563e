package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/types"
)

// dotParallel bounds the requests DOT has in flight at once, so that drawing
// a large pipeline does not flood the server.
const dotParallel = 8

// dotNode is what DOT learned of one object of the pipeline.
type dotNode struct {
	id, class, name string
	hub             bool     // a Hub: drawn as a cluster holding its ports
	element         bool     // a MediaElement: has sink connections
	children        []string // ids of a hub's ports
	sinks           []element.Connection
	num             int // DOT node number, assigned once sorted
}

// key is the node's DOT id.
func (n *dotNode) key() string { return fmt.Sprintf("n%d", n.num) }

// display is the second line of a node's label: the name given with
// SetName, or a short form of the id (KMS names an object by its id until
// SetName is called).
func (n *dotNode) display() string {
	if n.name != "" && n.name != n.id {
		return n.name
	}
	return shortID(n.id)
}

// DOT returns the topology of the pipeline as a Graphviz DOT graph, as this
// client sees it: one node per element (class and name, or a short id when
// no name was set with SetName), each hub drawn as a cluster around its
// HubPorts, and one edge per source, sink and media type, labelled and
// coloured by type (audio orange, video blue, data green). The output is
// sorted, so the same topology with the same names always gives the same
// text; render it with e.g. `dot -Tsvg`.
//
// DOT reads the pipeline with a few requests per object (describe, getName,
// getChildren for hubs, getSinkConnections for elements), at most eight in
// flight; objects released meanwhile are left out. It stops at the first
// other error, which names the failing request. ctx bounds the whole walk.
// It is safe for concurrent use. A nil handle or one still pending in a
// transaction fails with an error matching client.ErrInvalidArgument.
func (h *MediaPipeline) DOT(ctx context.Context) (string, error) {
	if h == nil || h.Object() == nil {
		return "", fmt.Errorf("pipeline DOT: nil pipeline: %w", client.ErrInvalidArgument)
	}
	if kms.IsNewRef(h.ID()) {
		return "", fmt.Errorf("pipeline DOT: pipeline %s is pending in a transaction: %w", h.ID(), client.ErrInvalidArgument)
	}
	name, err := h.GetName(ctx)
	if err != nil {
		return "", err
	}
	top, err := h.GetChildren(ctx)
	if err != nil {
		return "", err
	}
	ids := make([]string, 0, len(top))
	for _, ch := range top {
		ids = append(ids, ch.ID())
	}
	c := h.Object().Client()
	nodes, err := visitDOT(ctx, c, ids)
	if err != nil {
		return "", err
	}
	var portIDs []string
	for _, n := range nodes {
		if n.hub {
			portIDs = append(portIDs, n.children...)
		}
	}
	ports, err := visitDOT(ctx, c, portIDs)
	if err != nil {
		return "", err
	}
	g := &dotGraph{nodes: make(map[string]*dotNode)}
	for _, n := range slices.Concat(nodes, ports) {
		g.nodes[n.id] = n
	}
	return g.render(h.ID(), name), nil
}

// visitDOT learns class, name, ports and sink connections of the objects
// ids, in parallel. Objects that no longer exist are skipped.
func visitDOT(ctx context.Context, c *client.Client, ids []string) ([]*dotNode, error) {
	var (
		mu  sync.Mutex
		out []*dotNode
	)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(dotParallel)
	for _, id := range ids {
		g.Go(func() error {
			n, err := describeDOT(ctx, c, id)
			if errors.Is(err, client.ErrObjectNotFound) {
				return nil // released while we looked: not part of the picture
			}
			if err != nil {
				return err
			}
			mu.Lock()
			out = append(out, n)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// describeDOT reads what DOT draws of one object.
func describeDOT(ctx context.Context, c *client.Client, id string) (*dotNode, error) {
	d, err := c.Describe(ctx, id)
	if err != nil {
		return nil, err
	}
	n := &dotNode{id: id, class: d.Type}
	for _, anc := range d.Hierarchy {
		switch anc {
		case "kurento.Hub":
			n.hub = true
		case "kurento.MediaElement":
			n.element = true
		}
	}
	obj := element.MediaElementFromObject(c.Object(d.Type, id))
	if n.name, err = obj.GetName(ctx); err != nil {
		return nil, err
	}
	if n.hub {
		ports, err := obj.GetChildren(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range ports {
			n.children = append(n.children, p.ID())
		}
	}
	if n.element {
		if n.sinks, err = obj.GetSinkConnections(ctx, nil); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// dotGraph lays the learned nodes out as DOT text.
type dotGraph struct {
	nodes map[string]*dotNode
	b     strings.Builder
}

// byLabel orders nodes by class, then display name, then id.
func byLabel(a, b *dotNode) int {
	return cmp.Or(cmp.Compare(a.class, b.class), cmp.Compare(a.display(), b.display()), cmp.Compare(a.id, b.id))
}

func (g *dotGraph) render(pipelineID, pipelineName string) string {
	// Top-level nodes: everything that is not a port of a known hub.
	inHub := make(map[string]bool)
	for _, n := range g.nodes {
		if n.hub {
			for _, p := range n.children {
				inHub[p] = true
			}
		}
	}
	var top []*dotNode
	for _, n := range g.nodes {
		if !inHub[n.id] {
			top = append(top, n)
		}
	}
	// Edges may name elements created after the walk started: draw them too,
	// with the class their id carries.
	var extras []*dotNode
	for _, n := range g.nodes {
		for _, s := range n.sinks {
			for _, e := range []*element.MediaElement{s.Source, s.Sink} {
				if e == nil || g.nodes[e.ID()] != nil || slices.ContainsFunc(extras, func(x *dotNode) bool { return x.id == e.ID() }) {
					continue
				}
				extras = append(extras, &dotNode{id: e.ID(), class: classFromID(e.ID())})
			}
		}
	}
	for _, x := range extras {
		g.nodes[x.id] = x
	}
	top = append(top, extras...)
	slices.SortFunc(top, byLabel)

	// Number the nodes in drawing order: each hub, then its ports.
	next := 0
	number := func(n *dotNode) {
		next++
		n.num = next
	}
	ports := make(map[string][]*dotNode)
	for _, n := range top {
		number(n)
		if !n.hub {
			continue
		}
		for _, id := range n.children {
			if p := g.nodes[id]; p != nil {
				ports[n.id] = append(ports[n.id], p)
			}
		}
		slices.SortFunc(ports[n.id], byLabel)
		for _, p := range ports[n.id] {
			number(p)
		}
	}

	display := (&dotNode{id: pipelineID, name: pipelineName}).display()
	g.printf("digraph %s {\n", quoteDOT(display))
	g.printf("\tgraph [rankdir=LR, labelloc=t, fontname=\"Helvetica\", label=%s];\n", quoteDOT("MediaPipeline\n"+display))
	g.printf("\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
	g.printf("\tedge [fontname=\"Helvetica\", fontsize=10];\n")
	for _, n := range top {
		if !n.hub {
			g.node("\t", n, "")
			continue
		}
		g.printf("\tsubgraph cluster_%s {\n", n.key())
		g.printf("\t\tgraph [label=\"\", style=\"rounded,dashed\"];\n")
		g.node("\t\t", n, ", shape=component")
		for _, p := range ports[n.id] {
			g.node("\t\t", p, "")
		}
		g.printf("\t}\n")
	}
	for _, e := range g.edges() {
		g.printf("\t%s -> %s [label=%s, color=%q, fontcolor=%q];\n", e.from.key(), e.to.key(), quoteDOT(e.label), e.color, e.color)
	}
	g.printf("}\n")
	return g.b.String()
}

func (g *dotGraph) printf(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }

func (g *dotGraph) node(indent string, n *dotNode, attrs string) {
	g.printf("%s%s [label=%s%s];\n", indent, n.key(), quoteDOT(n.class+"\n"+n.display()), attrs)
}

// dotEdge is one drawn connection.
type dotEdge struct {
	from, to     *dotNode
	order        int // media type order: audio, video, data, others
	label, color string
}

// edges returns one edge per source, sink, media type and descriptions,
// sorted by source, sink and type.
func (g *dotGraph) edges() []dotEdge {
	var out []dotEdge
	seen := make(map[string]bool)
	for _, n := range g.nodes {
		for _, s := range n.sinks {
			if s.Source == nil || s.Sink == nil {
				continue
			}
			from, to := g.nodes[s.Source.ID()], g.nodes[s.Sink.ID()]
			order, label, color := mediaStyle(s.Type)
			if d := descriptions(s); d != "" {
				label += " " + d
			}
			k := from.key() + " " + to.key() + " " + label
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, dotEdge{from: from, to: to, order: order, label: label, color: color})
		}
	}
	slices.SortFunc(out, func(a, b dotEdge) int {
		return cmp.Or(cmp.Compare(a.from.num, b.from.num), cmp.Compare(a.to.num, b.to.num),
			cmp.Compare(a.order, b.order), cmp.Compare(a.label, b.label))
	})
	return out
}

// mediaStyle gives the sort order, label and colour of a media type.
func mediaStyle(t types.MediaType) (order int, label, color string) {
	switch t {
	case types.MediaTypeAudio:
		return 0, "audio", "darkorange"
	case types.MediaTypeVideo:
		return 1, "video", "royalblue"
	case types.MediaTypeData:
		return 2, "data", "forestgreen"
	default:
		return 3, strings.ToLower(string(t)), "gray40"
	}
}

// descriptions names the media descriptions of a connection unless both
// are the default ones.
func descriptions(c element.Connection) string {
	src, sink := c.SourceDescription, c.SinkDescription
	if (src == "" || src == "default") && (sink == "" || sink == "default") {
		return ""
	}
	return "(" + src + " → " + sink + ")"
}

// shortID is the first eight characters of the last path segment of an
// object id: enough to tell objects apart in a picture.
func shortID(id string) string {
	last := kms.IDSegment(id)
	if i := strings.IndexByte(last, '_'); i >= 0 {
		last = last[:i]
	}
	if len(last) > 8 {
		last = last[:8]
	}
	return last
}

// classFromID reads the class KMS writes at the end of its object ids
// ("<uuid>_kurento.WebRtcEndpoint"); "MediaElement" when there is none.
func classFromID(id string) string {
	if c := kms.ClassOfID(id); c != "" {
		return c
	}
	return "MediaElement"
}

// quoteDOT quotes s as a DOT string; newlines become centred line breaks.
func quoteDOT(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
