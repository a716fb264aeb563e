package signal

import (
	"context"
	"encoding/json"
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

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
)

// App builds a program's HTTP handler on a connected client.
type App func(c *client.Client, log *slog.Logger) http.Handler

// Main runs an example program named name: it parses -listen, connects to
// the KMS at $KURENTO_URL (or starts the embedded fake KMS and says so on
// stderr), serves app on plain HTTP until SIGINT or SIGTERM, then closes
// everything. It exits the process on failure.
func Main(name string, app App) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:8443", "address to serve the pages on (plain HTTP; browsers allow camera access on localhost)")
	_ = fs.Parse(os.Args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, name, *listen, os.Getenv("KURENTO_URL"), os.Stderr, app)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Run is Main without the process: it serves until ctx ends. With kmsURL
// empty it uses the embedded fake KMS. Logs go to stderr; the line
// "<name>: open http://ADDR/" tells where the pages are.
func Run(ctx context.Context, name, listen, kmsURL string, stderr io.Writer, app App) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("program", name)
	server := serverInfo{Kind: "kms", URL: kmsURL}
	if kmsURL == "" {
		// The embedded fake carries media: the pages show video with no KMS.
		srv, err := kurentotest.Start(kurentotest.WithMedia()) //nolint:contextcheck // the fake lives until Run returns, not per request
		if err != nil {
			return fmt.Errorf("start the embedded fake KMS: %w", err)
		}
		defer func() { _ = srv.Close() }()
		kmsURL = srv.URL()
		server = serverInfo{Kind: "fake", URL: kmsURL}
		log.Info("KURENTO_URL is not set: using the embedded fake KMS (media is forwarded, not transcoded)", "url", kmsURL)
	}
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	c, err := client.Dial(dialCtx, kmsURL, client.WithLogger(log))
	cancel()
	if err != nil {
		return fmt.Errorf("dial %s: %w", kmsURL, err)
	}
	// Closing the client ends its session: KMS frees whatever is left.
	defer func() { _ = c.Close() }() //nolint:contextcheck // Close bounds its own wait; ctx may already be done here

	return Serve(ctx, name, listen, withServerInfo(app(c, log), server), stderr)
}

// Serve serves h on listen until ctx ends, then shuts down within 5 s.
// The line "<name>: open http://ADDR/" on stderr tells where the pages are.
// Requests, and so the pages' websockets, end with ctx.
func Serve(ctx context.Context, name, listen string, h http.Handler, stderr io.Writer) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", listen)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	_, _ = fmt.Fprintf(stderr, "%s: open http://%s/\n", name, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// serverInfo tells the pages which server the program uses, at
// /server.json: Kind "kms" (the KMS at KURENTO_URL) or "fake" (the
// embedded fake KMS, which carries the media too).
type serverInfo struct {
	Kind string `json:"kind"`
	URL  string `json:"url"`
}

func withServerInfo(h http.Handler, info serverInfo) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /server.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(info) // a failed write is the page's loss
	})
	mux.Handle("/", h)
	return mux
}
