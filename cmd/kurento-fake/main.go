// Command kurento-fake runs the fake Kurento Media Server of package
// kurentotest as a program, for clients in other languages and for manual
// tests.
//
//	kurento-fake [-listen 127.0.0.1:8888] [-gc-period 4m0s] [-reply-cache-ttl 20s] [-log-level info] [-call-log 1000] [-media=true]
//
// When the server is ready it prints its WebSocket URL
// (ws://127.0.0.1:8888/kurento) on a line of its own on stdout. Logs go to
// stderr as slog text; at -log-level debug every frame in and out is
// logged. SIGINT or SIGTERM closes the server and ends the program.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gokurento/kurento/kurentotest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal a second one kills the program at once.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		_, _ = fmt.Fprintln(os.Stderr, "kurento-fake:", err)
		os.Exit(1)
	}
}

// defaultCallLog bounds the call log of a long-running fake: nothing in the
// program reads older entries, and an unbounded log grew by about 1.3 KB
// per request.
const defaultCallLog = 1000

// adminFlag names the hidden flag that enables the admin hook: an HTTP
// listener where POST /drop calls [kurentotest.Server.DropConnections] and
// POST /restart calls [kurentotest.Server.Restart]. It exists for interop
// tests of other clients and is left out of the usage text.
const adminFlag = "admin"

// run is the program: it parses args, starts the fake, prints its URL on
// stdout (and, with -admin, the admin hook's URL on a second line), and
// serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kurento-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8888", "TCP `address` to serve WebSocket clients on (port 0 picks a free port)")
	gcPeriod := fs.Duration("gc-period", kurentotest.DefaultGCPeriod, "session garbage collector `period`")
	cacheTTL := fs.Duration("reply-cache-ttl", kurentotest.DefaultReplyCacheTTL, "how long replies are replayed for repeated requests (0 disables)")
	logLevel := fs.String("log-level", "info", "log `level`: debug (every frame), info, warn or error")
	callLog := fs.Int("call-log", defaultCallLog, "keep only the most recent `n` calls in the call log, so memory stays flat (0 keeps all)")
	withMedia := fs.Bool("media", true, "carry real media: WebRTC transport, forwarding along connections, players and recorders (false opens no UDP socket)")
	admin := fs.String(adminFlag, "", "")
	fs.Usage = func() { usage(fs) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	opts := []kurentotest.Option{
		kurentotest.WithAddress(*listen),
		kurentotest.WithGCPeriod(*gcPeriod),
		kurentotest.WithReplyCacheTTL(*cacheTTL),
		kurentotest.WithLogger(log),
		kurentotest.WithCallLog(*callLog),
	}
	if *withMedia {
		opts = append(opts, kurentotest.WithMedia())
	}
	srv, err := kurentotest.Start(opts...) //nolint:contextcheck // the server lives until Close, not under ctx
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }() // Close only reports what Start already did

	lines := []string{srv.URL()}
	var adminErr <-chan error
	if *admin != "" {
		url, errc, stopAdmin, err := serveAdmin(ctx, *admin, srv, log)
		if err != nil {
			return err
		}
		defer stopAdmin()
		adminErr = errc
		lines = append(lines, url)
		log.Info("admin hook enabled", slog.String("url", url))
	}
	for _, l := range lines {
		if _, err := fmt.Fprintln(stdout, l); err != nil {
			return err
		}
	}
	log.Info("fake KMS ready", slog.String("url", srv.URL()), slog.String("server_id", srv.ServerID()))

	select {
	case <-ctx.Done():
		log.Info("shutting down")
		return nil
	case err := <-adminErr:
		return fmt.Errorf("admin hook: %w", err)
	}
}

// usage prints the flags except the hidden admin flag.
func usage(fs *flag.FlagSet) {
	out := fs.Output()
	_, _ = fmt.Fprintln(out, "usage: kurento-fake [flags]")
	_, _ = fmt.Fprintln(out, "Runs a fake Kurento Media Server and prints its WebSocket URL when ready.")
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == adminFlag {
			return
		}
		name, text := flag.UnquoteUsage(f)
		_, _ = fmt.Fprintf(out, "  -%s %s\n    \t%s (default %s)\n", f.Name, name, text, f.DefValue)
	})
}

// serveAdmin starts the admin hook on addr. It returns the hook's base URL,
// a channel that receives the error if serving fails, and a stop function.
func serveAdmin(ctx context.Context, addr string, srv *kurentotest.Server, log *slog.Logger) (string, <-chan error, func(), error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return "", nil, nil, fmt.Errorf("admin hook: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /drop", func(w http.ResponseWriter, _ *http.Request) {
		log.Info("admin: dropping every connection")
		srv.DropConnections()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /restart", func(w http.ResponseWriter, _ *http.Request) {
		log.Info("admin: simulating a restart")
		srv.Restart()
		w.WriteHeader(http.StatusNoContent)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	stop := func() {
		_ = hs.Close() // the listener error, if any, was already reported
		<-done
	}
	return "http://" + ln.Addr().String(), errc, stop, nil
}
