// Package peertest serves misbehaving websocket peers to tests over
// in-memory pipes: a peer that never answers the upgrade, one that upgrades
// and then ignores everything, one that never reads. Over pipes, blocking
// is durable, so tests run them inside testing/synctest and measure
// bounds on the fake clock instead of the machine's.
package peertest

import (
	"bufio"
	"context"
	"crypto/sha1" //nolint:gosec // the websocket accept key is defined with SHA-1
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"sync"
)

// Peer serves one connection: it gets the server end of the pipe and
// returns when done with it (the client end closing makes its reads fail).
type Peer func(conn net.Conn)

// Client returns an HTTP client whose every request is served by peer on
// a fresh pipe, and a wait function that returns once every peer returned.
func Client(peer Peer) (*http.Client, func()) {
	var wg sync.WaitGroup
	rt := roundTripper(func(req *http.Request) (*http.Response, error) {
		client, server := net.Pipe()
		wg.Go(func() {
			defer func() { _ = server.Close() }()
			peer(server)
		})
		// The request's ctx bounds the exchange, as a real transport's does.
		stop := context.AfterFunc(req.Context(), func() { _ = client.Close() })
		defer stop()
		if err := req.Write(client); err != nil {
			_ = client.Close()
			return nil, errors.Join(err, req.Context().Err())
		}
		resp, err := http.ReadResponse(bufio.NewReader(client), req)
		if err != nil {
			_ = client.Close()
			return nil, errors.Join(err, req.Context().Err())
		}
		if resp.StatusCode == http.StatusSwitchingProtocols {
			// The peer writes nothing after the 101 before it is spoken
			// to, so the reader holds no buffered bytes: the pipe itself
			// is the body, as with a real upgrade.
			resp.Body = client
		}
		return resp, nil
	})
	return &http.Client{Transport: rt}, wg.Wait
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Upgrade reads a websocket upgrade request from conn and accepts it.
func Upgrade(conn net.Conn) error {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return err
	}
	h := sha1.New() //nolint:gosec // see the import
	h.Write([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	accept := base64.StdEncoding.EncodeToString(h.Sum(nil))
	_, err = conn.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + accept + "\r\n\r\n"))
	return err
}

// Silent upgrades and then reads and ignores everything until the client
// end closes: it answers no request and no close frame.
func Silent(conn net.Conn) {
	if Upgrade(conn) != nil {
		return
	}
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}

// NeverUpgrades reads the request and then answers nothing.
func NeverUpgrades(conn net.Conn) {
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}
