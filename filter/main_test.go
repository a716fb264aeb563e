package filter_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// dial starts a fake KMS and a client connected to it.
func dial(t *testing.T, opts ...kurentotest.Option) (context.Context, *kurentotest.Server, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	srv := kurentotest.NewServer(t, opts...)
	c, err := client.Dial(ctx, srv.URL(), client.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return ctx, srv, c
}

// lastParams returns the params of the latest call of method (and
// operation, for invokes) as a JSON object.
func lastParams(t *testing.T, srv *kurentotest.Server, method, operation string) map[string]json.RawMessage {
	t.Helper()
	calls := srv.Calls()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Method == method && (operation == "" || calls[i].Operation == operation) {
			var m map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(calls[i].Params, &m))
			return m
		}
	}
	t.Fatalf("no %s %s call", method, operation)
	return nil
}
