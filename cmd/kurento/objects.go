package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/internal/kms"
)

// parallel bounds the requests a verb has in flight, so that walking a busy
// server does not flood it.
const parallel = 8

// object is what the tool learned of one server object.
type object struct {
	ID       string            `json:"id"`
	Class    string            `json:"class"`
	Name     string            `json:"name,omitempty"` // empty when never set (KMS then answers the id)
	Created  time.Time         `json:"created"`
	Tags     map[string]string `json:"tags,omitempty"`
	Children []*object         `json:"children,omitempty"`
	Sinks    []connection      `json:"sinks,omitempty"`
	// childCount is the number of direct children (ls).
	childCount int
}

// connection is one media connection from an element to a sink.
type connection struct {
	Sink              string `json:"sink"`
	Type              string `json:"type"`
	SourceDescription string `json:"sourceDescription,omitempty"`
	SinkDescription   string `json:"sinkDescription,omitempty"`
}

// label is how tables name o: its name, else the last segment of its id.
func (o *object) label() string {
	if o.Name != "" {
		return o.Name
	}
	return segment(o.ID)
}

// segment is the last part of an id.
func segment(id string) string { return kms.IDSegment(id) }

// classOf reads the class from a KMS id ("<uuid>_<module>.<Class>").
func classOf(id string) string { return kms.ClassOfID(id) }

// facts are the IDL facts of the core modules, to tell elements from other
// objects and to list a class's events; loaded on first use.
func (a *app) facts() *idl.Facts {
	a.factsOnce.Do(func() { a.idl = idl.Load() })
	return a.idl
}

// isElement reports whether objects of class have media connections. A
// class the facts do not know (a custom module) is tried.
func (a *app) isElement(class string) bool {
	if _, ok := a.facts().Class(class); !ok {
		return true
	}
	return a.facts().IsA(class, "MediaElement")
}

// load reads o's name, creation time and tags, and with deep its sink
// connections and children (recursively). An object released meanwhile
// gives ok false.
func (a *app) load(ctx context.Context, id string, deep bool) (o *object, ok bool, err error) {
	o = &object{ID: id, Class: classOf(id)}
	var (
		name     string
		created  int64
		tags     []struct{ Key, Value string }
		children []string
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.c.Invoke(gctx, id, "getName", nil, &name) })
	g.Go(func() error { return a.c.Invoke(gctx, id, "getCreationTime", nil, &created) })
	g.Go(func() error { return a.c.Invoke(gctx, id, "getTags", nil, &tags) })
	g.Go(func() error { return a.c.Invoke(gctx, id, "getChildren", nil, &children) })
	if deep && a.isElement(o.Class) {
		g.Go(func() error {
			var cs []struct {
				Sink, Type, SourceDescription, SinkDescription string
			}
			err := a.c.Invoke(gctx, id, "getSinkConnections", nil, &cs)
			if errors.Is(err, client.ErrMalformedTransaction) || errors.Is(err, client.ErrMethodNotFound) {
				return nil // not an element after all
			}
			for _, c := range cs {
				o.Sinks = append(o.Sinks, connection(c))
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		if errors.Is(err, client.ErrObjectNotFound) {
			return nil, false, nil
		}
		return nil, false, err
	}
	if name != id {
		o.Name = name
	}
	o.Created = time.Unix(created, 0).UTC()
	if len(tags) > 0 {
		o.Tags = make(map[string]string, len(tags))
		for _, t := range tags {
			o.Tags[t.Key] = t.Value
		}
	}
	o.childCount = len(children)
	slices.SortFunc(o.Sinks, func(x, y connection) int {
		return cmp.Or(cmp.Compare(x.Sink, y.Sink), cmp.Compare(x.Type, y.Type))
	})
	if deep {
		kids, err := a.loadAll(ctx, children, true)
		if err != nil {
			return nil, false, err
		}
		o.Children = kids
	}
	return o, true, nil
}

// loadAll loads ids, leaving out those released meanwhile, sorted by
// creation time, then name, then id.
func (a *app) loadAll(ctx context.Context, ids []string, deep bool) ([]*object, error) {
	out := make([]*object, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for i, id := range ids {
		g.Go(func() error {
			o, ok, err := a.load(gctx, id, deep)
			if ok {
				out[i] = o
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out = slices.DeleteFunc(out, func(o *object) bool { return o == nil })
	slices.SortFunc(out, func(x, y *object) int {
		return cmp.Or(x.Created.Compare(y.Created), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// pipelines lists the ids of every pipeline on the server.
func (a *app) pipelines(ctx context.Context) ([]string, error) {
	var ids []string
	if err := a.c.ServerManager().Invoke(ctx, "getPipelines", nil, &ids); err != nil {
		return nil, err
	}
	return ids, nil
}

// describe checks that id exists and returns its class.
func (a *app) describe(ctx context.Context, id string) (string, error) {
	d, err := a.c.Describe(ctx, id)
	if errors.Is(err, client.ErrObjectNotFound) {
		return "", &notFoundError{id: id}
	}
	if err != nil {
		return "", err
	}
	return d.Type, nil
}

// sessions lists the live sessions. KMS answers n empty strings followed
// by the n session ids; the ids may include the empty one that
// getPipelines registers.
func (a *app) sessions(ctx context.Context) ([]string, error) {
	var raw []string
	if err := a.c.ServerManager().Invoke(ctx, "getSessions", nil, &raw); err != nil {
		return nil, err
	}
	ids := raw
	if half := len(raw) / 2; len(raw)%2 == 0 && !slices.ContainsFunc(raw[:half], func(s string) bool { return s != "" }) {
		ids = raw[half:]
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// formatTags writes tags as k=v,k=v in key order.
func formatTags(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + tags[k]
	}
	return strings.Join(parts, ",")
}

// formatTime is the tables' time format: UTC, seconds.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// formatAge rounds an age for reading: seconds below an hour, minutes
// below a day, hours beyond.
func formatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Hour:
		return d.Truncate(time.Second).String()
	case d < 24*time.Hour:
		return strings.TrimSuffix(d.Truncate(time.Minute).String(), "0s")
	}
	h := int64(d / time.Hour)
	return strconv.FormatInt(h/24, 10) + "d" + strconv.FormatInt(h%24, 10) + "h"
}

// describeConnections groups an element's sink connections by sink:
// "callee (AUDIO,VIDEO); recorder (VIDEO)". names maps ids to labels.
func describeConnections(cs []connection, names map[string]string) string {
	var parts []string
	for i := 0; i < len(cs); {
		j := i
		var types []string
		for ; j < len(cs) && cs[j].Sink == cs[i].Sink; j++ {
			types = append(types, cs[j].Type)
		}
		label, ok := names[cs[i].Sink]
		if !ok {
			label = segment(cs[i].Sink)
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", label, strings.Join(types, ",")))
		i = j
	}
	return strings.Join(parts, "; ")
}
