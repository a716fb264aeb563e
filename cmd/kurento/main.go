package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/internal/idl"
)

// Exit codes; see the package doc.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitConnect  = 3
	exitNotFound = 4
)

// defaultURL is used when neither --url nor KURENTO_URL is set.
const defaultURL = "ws://127.0.0.1:8888/kurento"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv: os.Getenv, now: time.Now,
	})
	stop()
	os.Exit(code)
}

// env is what the program takes from its surroundings, so tests can run it
// in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
}

// verb is one subcommand.
type verb struct {
	name    string
	args    string // usage of the positional arguments
	summary string
	flags   func(fs *flag.FlagSet) func() (verbFunc, error) // registers the verb's own flags
	minArgs int
	maxArgs int // -1: any
}

// verbFunc runs a verb on a connected client.
type verbFunc func(ctx context.Context, a *app, args []string) error

// common are the flags every verb takes.
type common struct {
	url     string
	timeout time.Duration
	json    bool
}

func (c *common) register(fs *flag.FlagSet, e env) {
	def := e.getenv("KURENTO_URL")
	if def == "" {
		def = defaultURL
	}
	fs.StringVar(&c.url, "url", def, "KMS websocket `URL`; KURENTO_URL sets the default")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "bound on connecting and on each request")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of tables")
}

// app is one run of a verb.
type app struct {
	env
	common
	c *client.Client

	factsOnce sync.Once
	idl       *idl.Facts
}

// usageError is a command-line mistake (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// notFoundError says an object named on the command line does not exist
// (exit 4).
type notFoundError struct{ id string }

func (e *notFoundError) Error() string { return "no object " + e.id + " on the server" }

// connectError is a failure to reach the server (exit 3).
type connectError struct{ err error }

func (e *connectError) Error() string { return "connecting: " + e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

func verbs() []verb {
	return []verb{
		{name: "info", summary: "server version, modules, CPU, memory, pipelines and sessions", flags: infoFlags},
		{name: "ls", summary: "list pipelines with name, creation time, number of children and tags", flags: lsFlags},
		{name: "tree", args: "[PIPELINE]", summary: "pipelines with their elements and connections", flags: treeFlags, maxArgs: 1},
		{name: "describe", args: "OBJECT", summary: "an object's class, place, name, tags and every property", flags: describeFlags, minArgs: 1, maxArgs: 1},
		{name: "dot", args: "PIPELINE", summary: "the pipeline's graph as Graphviz DOT", flags: dotFlags, minArgs: 1, maxArgs: 1},
		{name: "events", args: "OBJECT [TYPE...]", summary: "print an object's events until interrupted (all its types by default)", flags: eventsFlags, minArgs: 1, maxArgs: -1},
		{name: "stats", args: "ENDPOINT", summary: "an element's media statistics", flags: statsFlags, minArgs: 1, maxArgs: 1},
		{name: "gc", args: "--older-than DURATION", summary: "release old pipelines that no live session uses", flags: gcFlags},
		{name: "completion", args: "bash|zsh", summary: "print a shell completion script", minArgs: 1, maxArgs: 1},
	}
}

func findVerb(name string) (verb, bool) {
	i := slices.IndexFunc(verbs(), func(v verb) bool { return v.name == name })
	if i < 0 {
		return verb{}, false
	}
	return verbs()[i], true
}

// run is the program: it returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	// Common flags may come before the verb.
	var pre common
	top := flag.NewFlagSet("kurento", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	pre.register(top, e)
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			topUsage(e.stdout)
			return exitOK
		}
		topUsage(e.stderr)
		_, _ = fmt.Fprintln(e.stderr, "kurento:", err)
		return exitUsage
	}
	rest := top.Args()
	if len(rest) == 0 {
		topUsage(e.stderr)
		return exitUsage
	}
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			return run(ctx, []string{rest[1], "--help"}, e)
		}
		topUsage(e.stdout)
		return exitOK
	}
	v, ok := findVerb(name)
	if !ok {
		_, _ = fmt.Fprintf(e.stderr, "kurento: unknown verb %q (see kurento --help)\n", name)
		return exitUsage
	}
	a := &app{env: e}
	fs := flag.NewFlagSet("kurento "+v.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.register(fs, e)
	// Values given before the verb are the defaults after it.
	top.Visit(func(f *flag.Flag) { _ = fs.Set(f.Name, f.Value.String()) })
	var bind func() (verbFunc, error)
	if v.flags != nil {
		bind = v.flags(fs)
	}
	positional, err := parseInterleaved(fs, rest[1:])
	if errors.Is(err, flag.ErrHelp) {
		verbUsage(e.stdout, v, fs)
		return exitOK
	}
	if err == nil {
		err = checkArgs(v, positional)
	}
	if err != nil {
		_, _ = fmt.Fprintf(e.stderr, "kurento %s: %v\n", v.name, err)
		verbUsage(e.stderr, v, fs)
		return exitUsage
	}
	if v.name == "completion" {
		return a.report(completion(e.stdout, positional[0]))
	}
	f, err := bind()
	if err != nil {
		return a.report(err)
	}
	if err := a.connect(ctx); err != nil {
		return a.report(err)
	}
	defer func() { _ = a.c.Close() }() //nolint:contextcheck // Close bounds its own wait; ctx may already be done here
	return a.report(f(ctx, a, positional))
}

// parseInterleaved parses flags wherever they appear among the positional
// arguments ("--" ends flags).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func checkArgs(v verb, pos []string) error {
	switch {
	case len(pos) < v.minArgs:
		return usagef("missing argument: %s", v.args)
	case v.maxArgs >= 0 && len(pos) > v.maxArgs:
		return usagef("unexpected arguments %q", pos[v.maxArgs:])
	}
	return nil
}

func (a *app) connect(ctx context.Context) error {
	if a.timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	dctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	c, err := client.Dial(dctx, a.url, client.WithCallTimeout(a.timeout))
	if err != nil {
		return &connectError{err: err}
	}
	a.c = c
	return nil
}

// report prints err and maps it to an exit code.
func (a *app) report(err error) int {
	if err == nil {
		return exitOK
	}
	// The SDK's own messages start with "kurento: " too; say it once.
	_, _ = fmt.Fprintln(a.stderr, "kurento:", strings.TrimPrefix(err.Error(), "kurento: "))
	var ue *usageError
	var nf *notFoundError
	var ce *connectError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ce):
		return exitConnect
	case errors.As(err, &nf), errors.Is(err, client.ErrObjectNotFound):
		return exitNotFound
	}
	return exitFailed
}

func topUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("kurento looks inside a running Kurento Media Server.\n\n")
	b.WriteString("Usage: kurento [--url URL] [--timeout D] [--json] VERB [ARGS]\n\nVerbs:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, v := range verbs() {
		_, _ = fmt.Fprintf(tw, "  %s %s\t%s\n", v.name, v.args, v.summary)
	}
	_ = tw.Flush()
	b.WriteString("\nRun 'kurento VERB --help' for a verb's flags. Exit codes: 0 ok, 1 failed,\n")
	b.WriteString("2 bad usage, 3 cannot connect, 4 no such object.\n")
	_, _ = io.WriteString(w, b.String())
}

func verbUsage(w io.Writer, v verb, fs *flag.FlagSet) {
	_, _ = fmt.Fprintf(w, "Usage: kurento %s [flags] %s\n\n%s.\n\nFlags:\n", v.name, v.args, capitalize(v.summary))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// table starts an aligned table on the app's stdout; Flush writes it.
func (a *app) table() *table {
	t := &table{out: a.stdout}
	t.Writer = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

// nextTable ends tw's table and a blank line, and starts the next table.
func (a *app) nextTable(tw *table) (*table, error) {
	if err := tw.Flush(); err != nil {
		return nil, err
	}
	_, _ = fmt.Fprintln(a.stdout)
	return a.table(), nil
}

// table is a tabwriter whose lines lose the padding of empty last cells.
type table struct {
	*tabwriter.Writer
	buf bytes.Buffer
	out io.Writer
}

// Flush writes what was written so far as aligned lines.
func (t *table) Flush() error {
	if err := t.Writer.Flush(); err != nil {
		return err
	}
	var b []byte
	for line := range strings.Lines(t.buf.String()) {
		b = append(b, strings.TrimRight(line, " \n")...)
		b = append(b, '\n')
	}
	t.buf.Reset()
	_, err := t.out.Write(b)
	return err
}

// printJSON writes v as indented JSON.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// confirm asks a yes/no question on stderr and reads the answer from stdin.
func (a *app) confirm(question string) bool {
	_, _ = fmt.Fprintf(a.stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
