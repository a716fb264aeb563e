package kurentotest

import "github.com/gokurento/kurento/internal/kms"

// This file holds what every MediaObject answers: its identity, family
// and creation time, and its tags.

func mediaObjectBehaviour() behaviour {
	return behaviour{name: "media object", defaults: []propertyDefault{
		{class: "MediaObject", prop: "sendTagsInEvents", value: false},
		{class: "MediaPipeline", prop: "latencyStats", value: false},
	}, ops: opsOf("MediaObject", map[string]opFunc{
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
		"addTag":    addTag,
		"removeTag": removeTag,
		"getTag":    getTag,
		"getTags": func(x *invocation) (any, *rpcError) {
			out := []any{}
			for _, t := range x.obj.tags {
				out = append(out, tagValue(t))
			}
			return out, nil
		},
	})}
}

func addTag(x *invocation) (any, *rpcError) {
	k, v := x.str("key"), x.str("value")
	for i := range x.obj.tags {
		if x.obj.tags[i].key == k {
			x.obj.tags[i].value = v
			return nil, nil
		}
	}
	x.obj.tags = append(x.obj.tags, tag{k, v})
	return nil, nil
}

func removeTag(x *invocation) (any, *rpcError) {
	k := x.str("key")
	for i := range x.obj.tags {
		if x.obj.tags[i].key == k {
			x.obj.tags = append(x.obj.tags[:i], x.obj.tags[i+1:]...)
			break
		}
	}
	return nil, nil
}

func getTag(x *invocation) (any, *rpcError) {
	k := x.str("key")
	for _, t := range x.obj.tags {
		if t.key == k {
			return t.value, nil
		}
	}
	return nil, kmsError(kms.CodeTagKeyNotFound, kms.MsgTagKeyNotFound)
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

func tagValue(t tag) map[string]any {
	return map[string]any{"__module__": "kurento", "__type__": "Tag", "key": t.key, "value": t.value}
}
