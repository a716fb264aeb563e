package kurentotest

import (
	"encoding/json"
	"slices"

	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// This file holds the connections between media elements: connect and
// disconnect (with ElementConnected and ElementDisconnected), the
// connection listings, and what a MediaElement answers without media.

// mediaTypes are the media types a connection without one names.
func mediaTypes() []string { return []string{"AUDIO", "VIDEO", "DATA"} }

// link is one media connection source → sink for one media type.
type link struct {
	source, sink         string
	mediaType            string
	sourceDesc, sinkDesc string
}

func elementBehaviour() behaviour {
	return behaviour{
		name: "element connections",
		// An element passes media on, unchanged.
		engineNodes: []engineNode{{class: "MediaElement", add: (*media.Engine).AddElement}},
		defaults: []propertyDefault{
			{class: "MediaElement", prop: "encoderBitrate", value: json.Number("300000")},
			{class: "MediaElement", prop: "maxEncoderBitrate", value: json.Number("2147483647")},
		},
		ops: opsOf("MediaElement", map[string]opFunc{
			"connect":              elementConnect,
			"disconnect":           elementDisconnect,
			"getSourceConnections": func(x *invocation) (any, *rpcError) { return x.connections(false), nil },
			"getSinkConnections":   func(x *invocation) (any, *rpcError) { return x.connections(true), nil },
			"isMediaTranscoding":   mediaTypeCheck(false),
			// No media, no stats: KMS writes the empty map as null.
			"getStats": func(*invocation) (any, *rpcError) { return nil, nil },
		}),
	}
}

// mediaTypeCheck answers v for AUDIO/VIDEO and rejects DATA like KMS.
func mediaTypeCheck(v bool) opFunc {
	return func(x *invocation) (any, *rpcError) {
		if x.params["mediaType"] == "DATA" {
			return nil, kmsError(kms.CodeIllegalParam, kms.MsgDataNotSupported("MediaTranscoding"))
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
		return nil, kmsError(kms.CodeConnect, kms.MsgNotSharePipeline)
	}
	srcDesc, sinkDesc, types := linkArgs(x)
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

// linkArgs reads the optional parameters shared by connect and disconnect:
// the two media descriptions ("default" when absent) and the media types
// (all of them when none is given).
func linkArgs(x *invocation) (srcDesc, sinkDesc string, types []string) {
	srcDesc = descOrDefault(x.params["sourceMediaDescription"])
	sinkDesc = descOrDefault(x.params["sinkMediaDescription"])
	types = mediaTypes()
	if mt, ok := x.params["mediaType"].(string); ok {
		types = []string{mt}
	}
	return srcDesc, sinkDesc, types
}

func elementDisconnect(x *invocation) (any, *rpcError) {
	st := x.st
	sink := x.str("sink")
	srcDesc, sinkDesc, types := linkArgs(x)
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

// disconnectAll removes every link of an element, firing ElementDisconnected
// on each source that is still alive.
func (st *state) disconnectAll(id string) {
	var gone []*link
	st.links = slices.DeleteFunc(st.links, func(l *link) bool {
		if l.source == id || l.sink == id {
			gone = append(gone, l)
			return true
		}
		return false
	})
	for _, l := range gone {
		st.emitLink("ElementDisconnected", l)
	}
}

func (st *state) emitLink(event string, l *link) {
	st.emit(l.source, event, map[string]any{
		"sink":                   l.sink,
		"mediaType":              l.mediaType,
		"sourceMediaDescription": l.sourceDesc,
		"sinkMediaDescription":   l.sinkDesc,
	})
}
