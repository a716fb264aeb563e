package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/internal/kms"
)

// unsafeProperties are never read by describe: reading them has crashed
// KMS 7.3 (getIceTcp on a WebRtcEndpoint ends the server process).
var unsafeProperties = []string{"iceTcp"}

// shownApart are properties describe prints in its header instead.
var shownApart = []string{"name", "creationTime", "tags", "children", "mediaPipeline", "parent", "id"}

type describeOut struct {
	ID            string                     `json:"id"`
	Class         string                     `json:"class"`
	QualifiedType string                     `json:"qualifiedType"`
	Hierarchy     []string                   `json:"hierarchy"`
	Parent        string                     `json:"parent,omitempty"`
	Properties    map[string]json.RawMessage `json:"properties"`
	Errors        map[string]string          `json:"errors,omitempty"` // properties that could not be read
	object
}

func describeFlags(*flag.FlagSet) func() (verbFunc, error) {
	return func() (verbFunc, error) {
		return func(ctx context.Context, a *app, args []string) error { return a.describeObject(ctx, args[0]) }, nil
	}
}

func (a *app) describeObject(ctx context.Context, id string) error {
	d, err := a.c.Describe(ctx, id)
	if errors.Is(err, client.ErrObjectNotFound) {
		return &notFoundError{id: id}
	}
	if err != nil {
		return err
	}
	o, ok, err := a.load(ctx, id, false)
	if err != nil {
		return err
	}
	if !ok {
		return &notFoundError{id: id}
	}
	out := describeOut{
		ID: id, Class: d.Type, QualifiedType: d.QualifiedType, Hierarchy: d.Hierarchy,
		Properties: map[string]json.RawMessage{}, object: *o,
	}
	out.object.Class = d.Type
	var parent *string
	if err := a.c.Invoke(ctx, id, "getParent", nil, &parent); err != nil && !errors.Is(err, client.ErrObjectNotFound) {
		return err
	} else if parent != nil {
		out.Parent = *parent
	}
	if err := a.readProperties(ctx, &out); err != nil {
		return err
	}
	if a.json {
		return a.printJSON(out)
	}
	return a.printDescription(&out)
}

// readProperties reads every safe property of out's class in parallel
// into out.Properties; a getter that fails is listed in out.Errors.
func (a *app) readProperties(ctx context.Context, out *describeOut) error {
	var names []string
	for _, p := range a.facts().AllProperties(out.Class) {
		if !slices.Contains(unsafeProperties, p.Name) && !slices.Contains(shownApart, p.Name) && !slices.Contains(names, p.Name) {
			names = append(names, p.Name)
		}
	}
	values := make([]json.RawMessage, len(names))
	failures := make([]error, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for i, n := range names {
		g.Go(func() error {
			failures[i] = a.c.Invoke(gctx, out.ID, kms.Getter(n), nil, &values[i])
			if errors.Is(failures[i], context.Canceled) || errors.Is(failures[i], context.DeadlineExceeded) {
				return failures[i]
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, n := range names {
		if failures[i] != nil {
			if out.Errors == nil {
				out.Errors = map[string]string{}
			}
			out.Errors[n] = failures[i].Error()
			continue
		}
		if values[i] == nil {
			values[i] = json.RawMessage("null")
		}
		out.Properties[n] = values[i]
	}
	return nil
}

// printDescription writes out as two tables: the object, then its
// properties.
func (a *app) printDescription(out *describeOut) error {
	tw := a.table()
	_, _ = fmt.Fprintf(tw, "id\t%s\n", out.ID)
	_, _ = fmt.Fprintf(tw, "class\t%s (%s)\n", out.Class, out.QualifiedType)
	_, _ = fmt.Fprintf(tw, "hierarchy\t%s\n", strings.Join(out.Hierarchy, " > "))
	_, _ = fmt.Fprintf(tw, "parent\t%s\n", out.Parent)
	_, _ = fmt.Fprintf(tw, "name\t%s\n", out.Name)
	_, _ = fmt.Fprintf(tw, "created\t%s\n", formatTime(out.Created))
	_, _ = fmt.Fprintf(tw, "tags\t%s\n", formatTags(out.Tags))
	_, _ = fmt.Fprintf(tw, "children\t%d\n", out.childCount)
	tw, err := a.nextTable(tw)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintln(tw, "PROPERTY\tVALUE")
	keys := make([]string, 0, len(out.Properties)+len(out.Errors))
	for k := range out.Properties {
		keys = append(keys, k)
	}
	for k := range out.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if e, failed := out.Errors[k]; failed {
			_, _ = fmt.Fprintf(tw, "%s\t(%s)\n", k, e)
			continue
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\n", k, readableValue(out.Properties[k]))
	}
	return tw.Flush()
}
