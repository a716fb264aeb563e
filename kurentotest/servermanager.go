package kurentotest

import (
	"encoding/json"
	"runtime"
	"slices"
	"time"

	"github.com/gokurento/kurento/internal/kms"
)

// Version is the KMS version the fake reports in ServerManager.getInfo.
const Version = "7.3.0"

const generationTime = "Jan  1 2025 00:00:00"

func serverManagerBehaviour() behaviour {
	return behaviour{name: "ServerManager", ops: opsOf("ServerManager", map[string]opFunc{
		"getInfo":      serverInfo,
		"getPipelines": getPipelines,
		"getSessions": func(x *invocation) (any, *rpcError) {
			ids := make([]string, 0, len(x.st.sessions))
			for id := range x.st.sessions {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			// KMS sizes the list with n empty strings, then appends the ids.
			out := make([]any, 0, 2*len(ids))
			for range ids {
				out = append(out, "")
			}
			for _, id := range ids {
				out = append(out, id)
			}
			return out, nil
		},
		"getMetadata": func(x *invocation) (any, *rpcError) { return x.st.s.opts.metadata, nil },
		"getCpuCount": func(*invocation) (any, *rpcError) { return runtime.NumCPU(), nil },
		"getUsedMemory": func(*invocation) (any, *rpcError) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			return int64(ms.Sys / 1024), nil
		},
		"getUsedCpu": func(x *invocation) (any, *rpcError) {
			// KMS measures over interval ms before answering.
			if n, ok := x.params["interval"].(json.Number); ok {
				ms, err := n.Int64()
				if err == nil && ms < 0 {
					return nil, nil // a real KMS answers null
				}
				if err == nil && ms > 0 && !x.cx.inTx {
					x.cx.delay = time.Duration(ms) * time.Millisecond
				}
			}
			return float64(float32(1.7)), nil
		},
		"getKmd": func(x *invocation) (any, *rpcError) {
			name := x.str("moduleName")
			kmd, ok := x.st.s.cat.kmd(name)
			if !ok {
				return nil, kmsError(kms.CodeKmdNotFound, kms.MsgKmdNotFound)
			}
			return kmd, nil
		},
	})}
}

func serverInfo(x *invocation) (any, *rpcError) {
	cat := x.st.s.cat
	mods := []any{}
	for _, m := range cat.f.Modules {
		fs := []any{}
		for _, f := range cat.f.Factories(m.Name) {
			fs = append(fs, f)
		}
		mods = append(mods, map[string]any{
			"__module__":     "kurento",
			"__type__":       "ModuleInfo",
			"factories":      fs,
			"generationTime": generationTime,
			"name":           m.Name,
			"version":        m.Version,
		})
	}
	return map[string]any{
		"__module__":   "kurento",
		"__type__":     "ServerInfo",
		"capabilities": []any{"transactions"},
		"modules":      mods,
		"type":         "KMS",
		"version":      Version,
	}, nil
}

// getPipelines lists pipeline ids. Like KMS, it references every pipeline
// from the session with the empty id, which then shows in getSessions and
// expires like any unbound session.
func getPipelines(x *invocation) (any, *rpcError) {
	var ids []string
	for _, id := range x.st.order {
		if o := x.st.objects[id]; o.typ == "MediaPipeline" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := []any{}
	for _, id := range ids {
		x.st.ref("", x.st.objects[id])
		out = append(out, id)
	}
	return out, nil
}

// kmd returns a module's IDL facts as JSON text (the fake has no kmd.json
// files; it serves the facts it knows in a kmd-like layout).
func (c *catalog) kmd(module string) (string, bool) {
	var version string
	found := false
	for _, m := range c.f.Modules {
		if m.Name == module {
			version, found = m.Version, true
		}
	}
	if !found {
		return "", false
	}
	doc := map[string]any{"name": module, "version": version, "kurentoVersion": version}
	var classes, events, types []any
	for _, cl := range c.f.Classes {
		if cl.Module == module {
			classes = append(classes, cl)
		}
	}
	for _, e := range c.f.Events {
		if e.Module == module {
			events = append(events, e)
		}
	}
	for _, t := range c.f.Types {
		if t.Module == module {
			types = append(types, t)
		}
	}
	doc["remoteClasses"], doc["events"], doc["complexTypes"] = classes, events, types
	b, err := json.Marshal(doc)
	if err != nil {
		return "", false
	}
	return string(b), true
}
