//go:build integration

package kurentotest_test

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// The integration build runs the raw-frame behaviour suite (every test that
// gets its server from newTarget) against the KMS at KURENTO_URL:
//
//	KURENTO_URL=ws://127.0.0.1:8888/kurento go test -tags integration ./kurentotest/
//
// Without KURENTO_URL those tests skip. With it, the tests that script the
// fake itself (React, Emit, Calls, DropConnections, Restart, WaitCall,
// replayed frames) are skipped: they test the fake, not a server.

const noKMS = "KURENTO_URL not set: the behaviour suite needs a real KMS"

// fakeOnly matches the tests that build their own fake with
// kurentotest.NewServer and script it; keep it in step with them.
const fakeOnly = `^(TestReplay.*|TestInMemoryTransportInSynctest|TestReactions|TestDropRestartInjectEmit|TestWaitCall.*)$`

func init() {
	realServer = func(t *testing.T) string {
		t.Helper()
		u := os.Getenv("KURENTO_URL")
		if u == "" {
			t.Skip(noKMS)
		}
		return u
	}
	beforeTests = func() {
		if os.Getenv("KURENTO_URL") == "" {
			return
		}
		flag.Parse()
		skip := fakeOnly
		if prev := flag.Lookup("test.skip").Value.String(); prev != "" {
			skip = prev + "|" + fakeOnly
		}
		if err := flag.Set("test.skip", skip); err != nil {
			panic(err) // the flag exists since Go 1.20
		}
		_, _ = fmt.Fprintf(os.Stderr, "KURENTO_URL set: behaviour tests talk to %s; fake-only tests skipped (%s)\n",
			os.Getenv("KURENTO_URL"), fakeOnly)
	}
}
