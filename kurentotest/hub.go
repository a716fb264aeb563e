package kurentotest

import (
	"slices"

	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// This file holds the hubs: their operations (which check, as KMS does,
// what they check: Mixer's ports must belong to it), the port connections
// they keep, and the routes these give the media engine.

func hubBehaviour() behaviour {
	var ops []classOp
	// A real KMS's Dispatcher connects HubPorts of any hub (it fails, 40004
	// "Can not connect ports", only when GStreamer cannot link them).
	ops = append(ops, opsOf("Dispatcher", map[string]opFunc{
		// Any hub's ports: the link is kept for the media engine.
		"connect": func(x *invocation) (any, *rpcError) {
			setHubLink(x.obj, hubLink{source: x.str("source"), sink: x.str("sink")})
			return nil, nil
		},
	})...)
	ops = append(ops, opsOf("DispatcherOneToMany", map[string]opFunc{
		// A real KMS takes a HubPort of another hub as source.
		"setSource": func(x *invocation) (any, *rpcError) {
			hs := hubOf(x.obj)
			hs.source, hs.hasSource = x.str("source"), true
			return nil, nil
		},
		"removeSource": func(x *invocation) (any, *rpcError) {
			hs := hubOf(x.obj)
			hs.source, hs.hasSource = "", false
			return nil, nil
		},
	})...)
	mixer := func(connect bool) opFunc {
		return func(x *invocation) (any, *rpcError) {
			mt := x.str("media")
			if mt != "AUDIO" && mt != "VIDEO" {
				return nil, kmsError(kms.CodeUnsupportedMediaType, kms.MsgInvalidMediaType)
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
	ops = append(ops, opsOf("Mixer", map[string]opFunc{"connect": mixer(true), "disconnect": mixer(false)})...)
	ops = append(ops, opsOf("AlphaBlending", map[string]opFunc{
		// A real KMS takes a HubPort of another hub as master.
		"setMaster": func(*invocation) (any, *rpcError) { return nil, nil },
		// A real KMS takes a HubPort of another hub here too.
		"setPortProperties": func(*invocation) (any, *rpcError) { return nil, nil },
	})...)
	return behaviour{
		name:        "hubs",
		ops:         ops,
		engineNodes: []engineNode{{class: "HubPort", add: (*media.Engine).AddHubPort}},
		routes:      []routeHook{{class: "Hub", fn: (*state).hubRoutes}},
	}
}

// ownPorts checks that the HubPort parameters name ports of this hub.
func (x *invocation) ownPorts(params ...string) *rpcError {
	for _, p := range params {
		id := x.str(p)
		port, ok := x.st.objects[id]
		if !ok {
			return kmsError(kms.CodeObjectNotFound, kms.MsgObjectNotFound(id))
		}
		if port.typ != "HubPort" || port.parent != x.obj.id {
			return kmsError(kms.CodeConnect, "HubPort '"+id+"' does not belong to hub '"+x.obj.id+"'")
		}
	}
	return nil
}

// hubRoutes joins a hub's ports: Dispatcher and Mixer as connected,
// DispatcherOneToMany from its source to every other port, Composite and
// AlphaBlending from every port to every other one (each output takes one
// input at a time: no mixing).
func (st *state) hubRoutes(h *object) []media.Route {
	var ports []string
	for _, c := range h.children {
		if o, ok := st.objects[c]; ok && o.typ == "HubPort" {
			ports = append(ports, c)
		}
	}
	var rs []media.Route
	add := func(src, sink string, kinds ...media.Kind) {
		if src == sink || !slices.Contains(ports, src) || !slices.Contains(ports, sink) {
			return
		}
		for _, k := range kinds {
			rs = append(rs, media.Route{Source: src, Sink: sink, Kind: k, Hub: true})
		}
	}
	switch h.typ {
	case "Dispatcher", "Mixer":
		for _, r := range hubLinks(h) {
			if r.kind == "" {
				add(r.source, r.sink, media.Audio, media.Video)
			} else if k, ok := mediaKind(r.kind); ok {
				add(r.source, r.sink, k)
			}
		}
	case "DispatcherOneToMany":
		if hs := hubOf(h); hs.hasSource {
			src := hs.source
			for _, p := range ports {
				add(src, p, media.Audio, media.Video)
			}
		}
	default:
		for _, a := range ports {
			for _, b := range ports {
				add(a, b, media.Audio, media.Video)
			}
		}
	}
	return rs
}

// hubLink is a port-to-port connection made by Dispatcher.connect or
// Mixer.connect (kind "" for both media types).
type hubLink struct{ source, sink, kind string }

// hubState is what a hub's operations set: its port connections
// (Dispatcher, Mixer) and its source port (DispatcherOneToMany).
type hubState struct {
	links     []hubLink
	source    string
	hasSource bool
}

func hubOf(h *object) *hubState {
	if h.hub == nil {
		h.hub = &hubState{}
	}
	return h.hub
}

func hubLinks(h *object) []hubLink {
	if h.hub == nil {
		return nil
	}
	return h.hub.links
}

// setHubLink records a hub connection; a sink takes one source per kind.
func setHubLink(h *object, l hubLink) {
	hs := hubOf(h)
	hs.links = append(slices.DeleteFunc(hs.links, func(o hubLink) bool {
		return o.sink == l.sink && (o.kind == l.kind || o.kind == "" || l.kind == "")
	}), l)
}

func removeHubLink(h *object, l hubLink) {
	hs := hubOf(h)
	hs.links = slices.DeleteFunc(hs.links, func(o hubLink) bool { return o == l })
}
