package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

// ---- info

type infoOut struct {
	URL            string       `json:"url"`
	Self           string       `json:"self"` // this tool's own session
	Version        string       `json:"version"`
	Type           string       `json:"type"`
	Capabilities   []string     `json:"capabilities"`
	Modules        []moduleInfo `json:"modules"`
	CPUCount       int32        `json:"cpuCount"`
	CPUUsedPercent float32      `json:"cpuUsedPercent"`
	MemoryUsedKiB  int64        `json:"memoryUsedKiB"`
	Pipelines      int          `json:"pipelines"`
	Sessions       []string     `json:"sessions"` // live sessions but the tool's own
}

type moduleInfo struct {
	Name           string   `json:"name"`
	Version        string   `json:"version"`
	GenerationTime string   `json:"generationTime"`
	Factories      []string `json:"factories"`
}

func infoFlags(fs *flag.FlagSet) func() (verbFunc, error) {
	interval := fs.Duration("cpu-interval", 500*time.Millisecond, "how long the server measures its CPU use")
	return func() (verbFunc, error) {
		if *interval <= 0 || *interval > time.Minute {
			return nil, usagef("--cpu-interval must be in (0, 1m]")
		}
		return func(ctx context.Context, a *app, _ []string) error { return a.info(ctx, *interval) }, nil
	}
}

func (a *app) info(ctx context.Context, interval time.Duration) error {
	sm := pipeline.ServerManagerOf(a.c)
	out := infoOut{URL: a.url, Self: a.c.SessionID()}
	var si types.ServerInfo
	var pipes []string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { si, err = sm.GetInfo(gctx); return err })
	g.Go(func() (err error) { out.CPUCount, err = sm.GetCpuCount(gctx); return err })
	g.Go(func() (err error) {
		out.CPUUsedPercent, err = sm.GetUsedCpu(gctx, int32(interval/time.Millisecond))
		return err
	})
	g.Go(func() (err error) { out.MemoryUsedKiB, err = sm.GetUsedMemory(gctx); return err })
	g.Go(func() (err error) { pipes, err = a.pipelines(gctx); return err })
	if err := g.Wait(); err != nil {
		return err
	}
	// After getPipelines, so that its side effect (the empty-id session)
	// shows as it will from now on.
	sessions, err := a.sessions(ctx)
	if err != nil {
		return err
	}
	out.Version, out.Type, out.Capabilities = si.Version, string(si.Type), si.Capabilities
	for _, m := range si.Modules {
		out.Modules = append(out.Modules, moduleInfo{Name: m.Name, Version: m.Version, GenerationTime: m.GenerationTime, Factories: m.Factories})
	}
	slices.SortFunc(out.Modules, func(x, y moduleInfo) int { return strings.Compare(x.Name, y.Name) })
	out.Pipelines = len(pipes)
	out.Sessions = slices.DeleteFunc(sessions, func(s string) bool { return s == out.Self })
	if a.json {
		return a.printJSON(out)
	}
	tw := a.table()
	_, _ = fmt.Fprintf(tw, "url\t%s\n", out.URL)
	_, _ = fmt.Fprintf(tw, "version\t%s (%s)\n", out.Version, out.Type)
	_, _ = fmt.Fprintf(tw, "capabilities\t%s\n", strings.Join(out.Capabilities, ","))
	_, _ = fmt.Fprintf(tw, "pipelines\t%d\n", out.Pipelines)
	_, _ = fmt.Fprintf(tw, "sessions\t%d and this tool's\n", len(out.Sessions))
	_, _ = fmt.Fprintf(tw, "cpus\t%d\n", out.CPUCount)
	_, _ = fmt.Fprintf(tw, "cpu used\t%.1f %%\n", out.CPUUsedPercent)
	_, _ = fmt.Fprintf(tw, "memory used\t%d KiB\n", out.MemoryUsedKiB)
	if tw, err = a.nextTable(tw); err != nil {
		return err
	}
	_, _ = fmt.Fprintln(tw, "MODULE\tVERSION\tBUILT\tFACTORIES")
	for _, m := range out.Modules {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", m.Name, m.Version, m.GenerationTime, len(m.Factories))
	}
	if tw, err = a.nextTable(tw); err != nil {
		return err
	}
	_, _ = fmt.Fprintln(tw, "SESSION\tNOTE")
	_, _ = fmt.Fprintf(tw, "%s\t(this tool)\n", out.Self)
	for _, s := range out.Sessions {
		switch s {
		case "":
			_, _ = fmt.Fprint(tw, "\"\"\t(the empty id: made by getPipelines)\n")
		default:
			_, _ = fmt.Fprintln(tw, s)
		}
	}
	return tw.Flush()
}

// ---- ls

type lsEntry struct {
	ID       string            `json:"id"`
	Name     string            `json:"name,omitempty"`
	Created  time.Time         `json:"created"`
	Children int               `json:"children"`
	Tags     map[string]string `json:"tags,omitempty"`
}

func lsFlags(fs *flag.FlagSet) func() (verbFunc, error) {
	tag := fs.String("tag", "", "only pipelines carrying this `KEY=VALUE` tag")
	return func() (verbFunc, error) {
		if *tag != "" {
			if k, _, ok := strings.Cut(*tag, "="); !ok || k == "" {
				return nil, usagef("--tag must be KEY=VALUE")
			}
		}
		return func(ctx context.Context, a *app, _ []string) error { return a.ls(ctx, *tag) }, nil
	}
}

func (a *app) ls(ctx context.Context, tag string) error {
	ids, err := a.pipelines(ctx)
	if err != nil {
		return err
	}
	objs, err := a.loadAll(ctx, ids, false)
	if err != nil {
		return err
	}
	out := make([]lsEntry, 0, len(objs))
	tagKey, tagValue, _ := strings.Cut(tag, "=")
	for _, o := range objs {
		if tagKey != "" && o.Tags[tagKey] != tagValue {
			continue
		}
		out = append(out, lsEntry{ID: o.ID, Name: o.Name, Created: o.Created, Children: o.childCount, Tags: o.Tags})
	}
	if a.json {
		return a.printJSON(out)
	}
	tw := a.table()
	_, _ = fmt.Fprintln(tw, "PIPELINE\tNAME\tCREATED\tCHILDREN\tTAGS")
	for _, e := range out {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", e.ID, e.Name, formatTime(e.Created), e.Children, formatTags(e.Tags))
	}
	return tw.Flush()
}

// ---- tree

func treeFlags(*flag.FlagSet) func() (verbFunc, error) {
	return func() (verbFunc, error) {
		return func(ctx context.Context, a *app, args []string) error { return a.tree(ctx, args) }, nil
	}
}

func (a *app) tree(ctx context.Context, args []string) error {
	var ids []string
	if len(args) == 1 {
		if _, err := a.describe(ctx, args[0]); err != nil {
			return err
		}
		ids = args
	} else {
		var err error
		if ids, err = a.pipelines(ctx); err != nil {
			return err
		}
	}
	objs, err := a.loadAll(ctx, ids, true)
	if err != nil {
		return err
	}
	if len(args) == 1 && len(objs) == 0 {
		return &notFoundError{id: args[0]}
	}
	if a.json {
		if objs == nil {
			objs = []*object{}
		}
		return a.printJSON(objs)
	}
	names := map[string]string{}
	var index func(os []*object)
	index = func(os []*object) {
		for _, o := range os {
			names[o.ID] = o.label()
			index(o.Children)
		}
	}
	index(objs)
	tw := a.table()
	_, _ = fmt.Fprintln(tw, "OBJECT\tCLASS\tNAME\tCREATED\tSINKS\tTAGS")
	var walk func(os []*object, depth int)
	walk = func(os []*object, depth int) {
		for _, o := range os {
			id := o.ID
			if depth > 0 {
				id = strings.Repeat("  ", depth) + segment(o.ID)
			}
			_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, o.Class, o.Name, formatTime(o.Created),
				describeConnections(o.Sinks, names), formatTags(o.Tags))
			walk(o.Children, depth+1)
		}
	}
	walk(objs, 0)
	return tw.Flush()
}

// ---- dot

func dotFlags(*flag.FlagSet) func() (verbFunc, error) {
	return func() (verbFunc, error) {
		return func(ctx context.Context, a *app, args []string) error { return a.dot(ctx, args[0]) }, nil
	}
}

func (a *app) dot(ctx context.Context, id string) error {
	class, err := a.describe(ctx, id)
	if err != nil {
		return err
	}
	if class != "MediaPipeline" {
		return usagef("%s is a %s, not a MediaPipeline", id, class)
	}
	dot, err := pipeline.MediaPipelineFromObject(a.c.Object(class, id)).DOT(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(struct {
			Pipeline string `json:"pipeline"`
			DOT      string `json:"dot"`
		}{id, dot})
	}
	_, err = fmt.Fprint(a.stdout, dot)
	return err
}

// ---- events

func eventsFlags(fs *flag.FlagSet) func() (verbFunc, error) {
	count := fs.Int("count", 0, "stop after this many events (0: until interrupted)")
	return func() (verbFunc, error) {
		if *count < 0 {
			return nil, usagef("--count must not be negative")
		}
		return func(ctx context.Context, a *app, args []string) error {
			return a.events(ctx, args[0], args[1:], *count)
		}, nil
	}
}

// eventLine is one event in --json output.
type eventLine struct {
	Time   string          `json:"time"` // RFC 3339, UTC, always milliseconds
	Type   string          `json:"type"`
	Object string          `json:"object"`
	Data   json.RawMessage `json:"data"`
}

func (a *app) events(ctx context.Context, id string, typeArgs []string, count int) error {
	class, err := a.describe(ctx, id)
	if err != nil {
		return err
	}
	known := a.facts().ClassEvents(class)
	eventTypes := typeArgs
	if len(eventTypes) == 0 {
		if len(known) == 0 {
			return usagef("the tool does not know the events of class %s: name them", class)
		}
		eventTypes = known
	}
	for _, t := range eventTypes {
		if len(known) > 0 && !slices.Contains(known, t) {
			return usagef("%s raises no %s event; it raises %s", class, t, strings.Join(known, ", "))
		}
	}
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	obj := a.c.Object(class, id)
	merged := make(chan event.Raw)
	g, gctx := errgroup.WithContext(subCtx)
	for _, t := range eventTypes {
		ch, err := obj.Subscribe(subCtx, t)
		if err != nil {
			cancel()
			_ = g.Wait()
			if ctx.Err() != nil {
				return nil // interrupted while subscribing: the normal end
			}
			return err
		}
		g.Go(func() error {
			for raw := range ch {
				select {
				case merged <- raw:
				case <-gctx.Done():
					return nil
				}
			}
			return nil
		})
	}
	go func() { _ = g.Wait(); close(merged) }()
	defer func() {
		cancel()
		for range merged { // let the forwarders finish
		}
	}()
	_, _ = fmt.Fprintf(a.stderr, "listening for %s on %s (interrupt to stop)\n", strings.Join(eventTypes, ", "), id)
	tw := a.table()
	n := 0
	for raw := range merged {
		if err := a.printEvent(tw, raw); err != nil {
			return err
		}
		if n++; count > 0 && n >= count {
			return nil
		}
	}
	if ctx.Err() != nil {
		return nil // interrupted: the normal end
	}
	_, _ = fmt.Fprintln(a.stderr, "the subscriptions ended (object released or session lost)")
	return nil
}

// commonEventFields are left out of the text line: they are shown in
// their own columns or say nothing new.
var commonEventFields = []string{"source", "timestamp", "timestampMillis", "tags"}

func (a *app) printEvent(tw *table, raw event.Raw) error {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw.Data))
	dec.UseNumber()
	_ = dec.Decode(&fields) // data that is not an object is printed as it is
	at := eventTime(fields, a.now)
	if a.json {
		enc := json.NewEncoder(a.stdout)
		return enc.Encode(eventLine{
			Time: at.Format("2006-01-02T15:04:05.000Z07:00"), Type: raw.Type, Object: raw.Object, Data: raw.Data,
		})
	}
	rest := string(raw.Data)
	if fields != nil {
		for _, k := range commonEventFields {
			delete(fields, k)
		}
		if t, ok := fields["type"]; ok && string(t) == strconv.Quote(raw.Type) {
			delete(fields, "type") // the event type, already shown
		}
		b, err := json.Marshal(fields) // sorted keys
		if err != nil {
			return err
		}
		rest = string(b)
	}
	_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", at.Format("15:04:05.000"), raw.Type, segment(raw.Object), rest)
	return tw.Flush() // a line at a time: the output is a live tail
}

// eventTime is the event's own timestamp (KMS sends milliseconds as a
// string in timestampMillis, seconds in timestamp), else now.
func eventTime(fields map[string]json.RawMessage, now func() time.Time) time.Time {
	for _, k := range []string{"timestampMillis", "timestamp"} {
		v, ok := fields[k]
		if !ok {
			continue
		}
		s := strings.Trim(string(v), `"`)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue
		}
		if k == "timestamp" {
			return time.Unix(n, 0).UTC()
		}
		return time.UnixMilli(n).UTC()
	}
	return now().UTC()
}

// ---- stats

func statsFlags(fs *flag.FlagSet) func() (verbFunc, error) {
	mediaType := fs.String("media", "", "only AUDIO or VIDEO statistics (default both)")
	return func() (verbFunc, error) {
		mt := strings.ToUpper(*mediaType)
		if mt != "" && mt != "AUDIO" && mt != "VIDEO" {
			return nil, usagef("--media must be AUDIO or VIDEO")
		}
		return func(ctx context.Context, a *app, args []string) error { return a.stats(ctx, args[0], mt) }, nil
	}
}

func (a *app) stats(ctx context.Context, id, mediaType string) error {
	var params any
	if mediaType != "" {
		params = map[string]string{"mediaType": mediaType}
	}
	class, err := a.describe(ctx, id)
	if err != nil {
		return err
	}
	if !a.isElement(class) {
		return usagef("%s is a %s, which has no media statistics", id, class)
	}
	var raw json.RawMessage
	if err := a.c.Invoke(ctx, id, "getStats", params, &raw); err != nil {
		return err
	}
	var stats map[string]map[string]json.RawMessage
	if len(raw) == 0 { // KMS answers no value when there is nothing to report
		raw = json.RawMessage("{}")
	}
	if err := json.Unmarshal(raw, &stats); err != nil {
		return fmt.Errorf("reading the statistics: %w", err)
	}
	if a.json {
		if stats == nil {
			stats = map[string]map[string]json.RawMessage{}
		}
		return a.printJSON(stats)
	}
	if len(stats) == 0 {
		_, err := fmt.Fprintf(a.stdout, "%s reports no statistics (no media has flowed through it)\n", segment(id))
		return err
	}
	return printStats(a.table(), stats)
}

// printStats writes one block per statistics entry, sorted by type, then
// key: a line with the entry's type and key, then its fields in name order,
// indented and aligned.
func printStats(tw *table, stats map[string]map[string]json.RawMessage) error {
	type entry struct{ key, typ string }
	entries := make([]entry, 0, len(stats))
	for k, fields := range stats {
		var typ string
		_ = json.Unmarshal(fields["type"], &typ)
		entries = append(entries, entry{k, typ})
	}
	slices.SortFunc(entries, func(x, y entry) int {
		return cmp.Or(cmp.Compare(x.typ, y.typ), cmp.Compare(x.key, y.key))
	})
	for i, e := range entries {
		if i > 0 {
			_, _ = fmt.Fprintln(tw)
		}
		// A line without tabs ends the tabwriter's column block, so each
		// entry's fields are aligned on their own.
		_, _ = fmt.Fprintf(tw, "%s %s\n", e.typ, segment(e.key))
		fields := stats[e.key]
		names := make([]string, 0, len(fields))
		for f := range fields {
			if f != "type" && f != "__module__" && f != "__type__" {
				names = append(names, f)
			}
		}
		slices.Sort(names)
		for _, f := range names {
			_, _ = fmt.Fprintf(tw, "  %s\t%s\n", f, readableValue(fields[f]))
		}
	}
	return tw.Flush()
}

// readableValue prints strings without quotes, and everything else as
// compact JSON without the "__module__" and "__type__" tags KMS puts on
// every complex value.
func readableValue(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var x any
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if dec.Decode(&x) != nil {
		return string(v)
	}
	b, err := json.Marshal(untag(x))
	if err != nil {
		return string(v)
	}
	return string(b)
}

// untag drops the type tags from decoded JSON.
func untag(x any) any {
	switch v := x.(type) {
	case map[string]any:
		delete(v, "__module__")
		delete(v, "__type__")
		for k, e := range v {
			v[k] = untag(e)
		}
	case []any:
		for i, e := range v {
			v[i] = untag(e)
		}
	}
	return x
}

// ---- gc

// gcEntry is one pipeline in gc's plan.
type gcEntry struct {
	ID       string            `json:"id"`
	Name     string            `json:"name,omitempty"`
	Created  time.Time         `json:"created"`
	Age      string            `json:"age"`
	Tags     map[string]string `json:"tags,omitempty"`
	Release  bool              `json:"release"`
	Reason   string            `json:"reason"`
	Released bool              `json:"released"`
	Error    string            `json:"error,omitempty"`
}

type gcOptions struct {
	olderThan   time.Duration
	set         bool // --older-than was given
	dryRun, yes bool
	tag         string
	ownerTag    string
	ignoreMedia bool
}

type durationFlag struct {
	d   *time.Duration
	set *bool
}

func (f durationFlag) String() string {
	if f.d == nil || !*f.set {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if d < 0 {
		return errors.New("negative duration")
	}
	*f.d, *f.set = d, true
	return nil
}

func gcFlags(fs *flag.FlagSet) func() (verbFunc, error) {
	var o gcOptions
	fs.Var(durationFlag{&o.olderThan, &o.set}, "older-than", "release pipelines created longer ago than this `duration` (required)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan and release nothing")
	fs.BoolVar(&o.yes, "yes", false, "do not ask for confirmation")
	fs.StringVar(&o.tag, "tag", "", "only pipelines carrying this `KEY=VALUE` tag")
	fs.StringVar(&o.ownerTag, "owner-tag", "", "tag `KEY` naming the session that owns a pipeline; kept while that session is live")
	fs.BoolVar(&o.ignoreMedia, "ignore-media", false, "release even pipelines that media is flowing into")
	return func() (verbFunc, error) {
		if !o.set {
			return nil, usagef("--older-than is required")
		}
		if o.tag != "" {
			if k, _, ok := strings.Cut(o.tag, "="); !ok || k == "" {
				return nil, usagef("--tag must be KEY=VALUE")
			}
		}
		return func(ctx context.Context, a *app, _ []string) error { return a.gc(ctx, o) }, nil
	}
}

func (a *app) gc(ctx context.Context, o gcOptions) error {
	plan, err := a.gcPlan(ctx, o)
	if err != nil {
		return err
	}
	n := 0
	for _, e := range plan {
		if e.Release {
			n++
		}
	}
	if !a.json {
		if err := a.printPlan(plan); err != nil {
			return err
		}
	}
	var result error
	switch {
	case n == 0:
		a.say("nothing to release")
	case o.dryRun:
		a.say(fmt.Sprintf("dry run: %d pipeline(s) would be released", n))
	case !o.yes && !a.confirm(fmt.Sprintf("Release %d pipeline(s)?", n)):
		_, _ = fmt.Fprintln(a.stderr, "nothing released")
	default:
		result = a.carryOut(ctx, plan, n)
	}
	if a.json {
		if plan == nil {
			plan = []*gcEntry{}
		}
		if err := a.printJSON(plan); err != nil && result == nil {
			result = err
		}
	}
	return result
}

// gcPlan lists the pipelines o selects, each with whether it is to be
// released and why.
func (a *app) gcPlan(ctx context.Context, o gcOptions) ([]*gcEntry, error) {
	tagKey, tagValue, _ := strings.Cut(o.tag, "=")
	ids, err := a.pipelines(ctx)
	if err != nil {
		return nil, err
	}
	live, err := a.sessions(ctx)
	if err != nil {
		return nil, err
	}
	objs, err := a.loadAll(ctx, ids, false)
	if err != nil {
		return nil, err
	}
	now := a.now()
	var plan []*gcEntry
	for _, p := range objs {
		if tagKey != "" && p.Tags[tagKey] != tagValue {
			continue
		}
		age := now.Sub(p.Created)
		e := &gcEntry{ID: p.ID, Name: p.Name, Created: p.Created, Age: formatAge(age), Tags: p.Tags}
		plan = append(plan, e)
		switch owner, tagged := p.Tags[o.ownerTag]; {
		case age <= o.olderThan:
			e.Reason = "younger than " + o.olderThan.String()
		case o.ownerTag != "" && tagged && slices.Contains(live, owner):
			e.Reason = "owner session " + owner + " is live"
		default:
			if err := a.judgeIdle(ctx, o, e); err != nil {
				return nil, err
			}
		}
	}
	return plan, nil
}

// judgeIdle decides for a pipeline old enough and with no live owner:
// it is released unless media flows in it (and o does not ignore media).
func (a *app) judgeIdle(ctx context.Context, o gcOptions, e *gcEntry) error {
	if !o.ignoreMedia {
		flowing, err := a.mediaFlowing(ctx, e.ID)
		if err != nil {
			return err
		}
		if flowing != "" {
			e.Reason = "media flowing " + flowing
			return nil
		}
	}
	e.Release = true
	e.Reason = "older than " + o.olderThan.String()
	if o.ownerTag != "" {
		e.Reason += ", no live owner"
	}
	if !o.ignoreMedia {
		e.Reason += ", no media flowing"
	}
	return nil
}

// carryOut releases the n pipelines of plan marked for release and says
// what became of each.
func (a *app) carryOut(ctx context.Context, plan []*gcEntry, n int) error {
	var result error
	if failed := a.release(ctx, plan); failed > 0 {
		result = fmt.Errorf("%d of %d releases failed", failed, n)
	}
	for _, e := range plan {
		switch {
		case e.Released:
			a.say("released " + e.ID)
		case e.Error != "":
			a.say("failed   " + e.ID + ": " + e.Error)
		}
	}
	return result
}

// say prints a line of human output (nothing with --json).
func (a *app) say(line string) {
	if !a.json {
		_, _ = fmt.Fprintln(a.stdout, line)
	}
}

func (a *app) printPlan(plan []*gcEntry) error {
	tw := a.table()
	_, _ = fmt.Fprintln(tw, "ACTION\tPIPELINE\tNAME\tAGE\tREASON")
	for _, e := range plan {
		action := "keep"
		if e.Release {
			action = "release"
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", action, e.ID, e.Name, e.Age, e.Reason)
	}
	return tw.Flush()
}

// release releases the planned pipelines, recording each outcome; it
// returns how many failed.
func (a *app) release(ctx context.Context, plan []*gcEntry) int {
	failed := 0
	for _, e := range plan {
		if !e.Release {
			continue
		}
		if err := a.c.Release(ctx, e.ID); err != nil {
			e.Error = err.Error()
			failed++
			continue
		}
		e.Released = true
	}
	return failed
}

// mediaFlowing names the first element of the pipeline (or of one of its
// hubs) that audio or video flows into, or out of from a peer, with "into "
// or "out of " before it, or returns "".
func (a *app) mediaFlowing(ctx context.Context, pipelineID string) (string, error) {
	var children []string
	if err := a.c.Invoke(ctx, pipelineID, "getChildren", nil, &children); err != nil {
		return "", ignoreGone(err)
	}
	for i := 0; i < len(children); i++ {
		id := children[i]
		class := classOf(id)
		if !a.isElement(class) {
			var ports []string
			if err := a.c.Invoke(ctx, id, "getChildren", nil, &ports); err != nil {
				if err = ignoreGone(err); err != nil {
					return "", err
				}
			}
			children = append(children, ports...)
			continue
		}
		where, err := a.elementFlowing(ctx, id, a.facts().IsA(class, "BaseRtpEndpoint"))
		if err != nil {
			return "", err
		}
		if where != "" {
			var name string
			if err := a.c.Invoke(ctx, id, "getName", nil, &name); err != nil || name == "" {
				name = segment(id)
			}
			return where + name, nil
		}
	}
	return "", nil
}

// elementFlowing tells whether audio or video flows into element id from
// the pipeline ("into ") or, for an endpoint with a peer (rtpPeer), out of
// it into the pipeline ("out of "), or returns "". A WebRtcEndpoint that
// receives its browser's media and feeds nothing reports only its flow
// out. Other elements' flow out is not asked: a Composite's HubPort
// reports video flowing out with no input at all.
func (a *app) elementFlowing(ctx context.Context, id string, rtpPeer bool) (string, error) {
	for _, op := range []struct{ name, where string }{{"isMediaFlowingIn", "into "}, {"isMediaFlowingOut", "out of "}} {
		if op.name == "isMediaFlowingOut" && !rtpPeer {
			continue
		}
		for _, mt := range []string{"AUDIO", "VIDEO"} {
			var flowing bool
			if err := a.c.Invoke(ctx, id, op.name, map[string]string{"mediaType": mt}, &flowing); err != nil {
				return "", ignoreGone(err)
			}
			if flowing {
				return op.where, nil
			}
		}
	}
	return "", nil
}

// ignoreGone treats an object released meanwhile as nothing to report.
func ignoreGone(err error) error {
	if errors.Is(err, client.ErrObjectNotFound) {
		return nil
	}
	return err
}
