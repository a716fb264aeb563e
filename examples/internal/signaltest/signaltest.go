// Package signaltest holds what the example programs' tests share: a fake
// KMS with a program's handler in front of it, pages that talk to it, and
// counts of what the fake holds.
package signaltest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/kurentotest"
)

// Start dials a fresh fake with the SDK and serves newApp's handler for it;
// everything is closed when the test ends. It returns the test's bounded
// ctx, the fake and the program's http:// address.
func Start(t *testing.T, newApp func(*client.Client, *slog.Logger) http.Handler) (context.Context, *kurentotest.Server, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	srv := kurentotest.NewServer(t)
	c, err := client.Dial(ctx, srv.URL())
	if err != nil {
		t.Fatalf("dial the fake: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ts := httptest.NewServer(newApp(c, nil))
	t.Cleanup(ts.Close)
	return ctx, srv, ts.URL
}

// Open connects a page to the signalling socket of the program at base.
func Open(ctx context.Context, t *testing.T, base string) *signal.Conn {
	t.Helper()
	page, err := signal.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws")
	if err != nil {
		t.Fatalf("open a page: %v", err)
	}
	t.Cleanup(func() { _ = page.Close() })
	return page
}

// Count returns how many live objects of class typ the fake holds.
func Count(srv *kurentotest.Server, typ string) int {
	n := 0
	for _, o := range srv.Objects() {
		if o.Type == typ {
			n++
		}
	}
	return n
}

// WaitReleases waits until the fake has received n release requests.
func WaitReleases(ctx context.Context, t *testing.T, srv *kurentotest.Server, n int) {
	t.Helper()
	seen := 0
	_, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool {
		if c.Method == "release" {
			seen++
		}
		return seen == n
	})
	if err != nil {
		t.Fatalf("waiting for %d releases (saw %d): %v", n, seen, err)
	}
}
