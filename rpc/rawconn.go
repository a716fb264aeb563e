package rpc

import (
	"io"
	"net/http"
	"sync"
)

// rawConn keeps the connection under a websocket, taken from the upgrade
// response, so that a close can be bounded: the websocket library offers no
// way to abandon its closing handshake once started.
type rawConn struct {
	mu  sync.Mutex
	rwc io.Closer
}

func (r *rawConn) get() io.Closer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rwc
}

// captureTransport records the body of a 101 response: for an upgrade, the
// HTTP transport hands over the connection itself as the body.
type captureTransport struct {
	base http.RoundTripper
	dst  *rawConn
}

func (t *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusSwitchingProtocols {
		if rwc, ok := resp.Body.(io.ReadWriteCloser); ok {
			t.dst.mu.Lock()
			t.dst.rwc = rwc
			t.dst.mu.Unlock()
		}
	}
	return resp, err
}

// captureRaw returns a copy of hc whose transport records the upgraded
// connection in the returned rawConn.
func captureRaw(hc *http.Client) (*http.Client, *rawConn) {
	raw := &rawConn{}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp := *hc
	cp.Transport = &captureTransport{base: base, dst: raw}
	return &cp, raw
}
