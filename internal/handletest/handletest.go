// Package handletest holds the test set-up the typed handle packages
// (element, pipeline, endpoint, hub, filter) share: a fake KMS with a client
// on it, and a look at the params of the requests the fake received.
package handletest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
)

// Dial starts a fake KMS and a client connected to it through the fake's
// in-memory transport; both end with the test. The ctx is bounded to 20 s.
func Dial(t *testing.T, opts ...kurentotest.Option) (context.Context, *kurentotest.Server, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	srv := kurentotest.NewServer(t, opts...)
	c, err := client.Dial(ctx, srv.URL(), client.WithHTTPClient(srv.HTTPClient()))
	if err != nil {
		t.Fatalf("dial the fake: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return ctx, srv, c
}

// LastParams returns the params of the latest call of method (and
// operation, for invokes) as a JSON object.
func LastParams(t *testing.T, srv *kurentotest.Server, method, operation string) map[string]json.RawMessage {
	t.Helper()
	calls := srv.Calls()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Method == method && (operation == "" || calls[i].Operation == operation) {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(calls[i].Params, &m); err != nil {
				t.Fatalf("params of %s %s: %v", method, operation, err)
			}
			return m
		}
	}
	t.Fatalf("no %s %s call", method, operation)
	return nil
}
