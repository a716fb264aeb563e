package pool

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Target is one server a Discovery found: the websocket URL of a KMS and its
// relative capacity (Weight 2 takes twice the load of Weight 1 before it
// scores as busy; 0 is read as 1).
type Target struct {
	URL    string
	Weight float64
}

// Discovery lists the servers of a pool. The pool calls Targets at start and
// then every resolve interval (see WithResolveInterval); servers that appear
// join the pool and servers that disappear leave it once their work is done.
// Targets is called from one goroutine at a time.
type Discovery interface {
	Targets(ctx context.Context) ([]Target, error)
}

// Static is a fixed list of servers, each of weight 1.
func Static(urls ...string) Discovery {
	ts := make(StaticTargets, len(urls))
	for i, u := range urls {
		ts[i] = Target{URL: u, Weight: 1}
	}
	return ts
}

// StaticTargets is a fixed list of servers with their weights.
type StaticTargets []Target

// Targets returns the list itself, or an error naming the first URL that is
// not a ws:// or wss:// URL.
func (s StaticTargets) Targets(context.Context) ([]Target, error) {
	for _, t := range s {
		u, err := url.Parse(t.URL)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
			return nil, fmt.Errorf("pool: %q is not a ws:// or wss:// URL", t.URL)
		}
	}
	return append([]Target(nil), s...), nil
}

// Resolver is the part of *net.Resolver the DNS discoveries use; tests and
// applications with their own DNS client pass another implementation.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupSRV(ctx context.Context, service, proto, name string) (cname string, addrs []*net.SRV, err error)
}

// HostRecords discovers servers from the A and AAAA records of Host: one
// server per address, all on Port, reached at Scheme://address:Port/Path.
// A Kubernetes headless service resolves this way to its ready pods.
type HostRecords struct {
	Host     string
	Port     int      // default 8888
	Scheme   string   // "ws" (default) or "wss"
	Path     string   // default "/kurento"
	Resolver Resolver // default net.DefaultResolver
}

// Targets resolves Host and returns one target per address, weight 1.
func (h HostRecords) Targets(ctx context.Context) ([]Target, error) {
	if h.Host == "" {
		return nil, errors.New("pool: HostRecords without Host")
	}
	addrs, err := resolver(h.Resolver).LookupIPAddr(ctx, h.Host)
	if err != nil {
		return nil, fmt.Errorf("pool: resolve %s: %w", h.Host, err)
	}
	port := h.Port
	if port == 0 {
		port = 8888
	}
	ts := make([]Target, 0, len(addrs))
	for _, a := range addrs {
		ts = append(ts, Target{URL: wsURL(h.Scheme, a.String(), port, h.Path), Weight: 1})
	}
	return ts, nil
}

// SRVRecords discovers servers from the SRV records of
// _Service._Proto.Name (for example _kurento._tcp.kms.media.svc): one
// server per record, at Scheme://target:port/Path, with the record's weight
// (0 is read as 1). Records of a priority other than the lowest one present
// are backups and are left out while the lowest priority has records.
type SRVRecords struct {
	Service, Proto, Name string
	Scheme               string   // "ws" (default) or "wss"
	Path                 string   // default "/kurento"
	Resolver             Resolver // default net.DefaultResolver
}

// Targets looks the SRV records up.
func (s SRVRecords) Targets(ctx context.Context) ([]Target, error) {
	if s.Name == "" {
		return nil, errors.New("pool: SRVRecords without Name")
	}
	_, recs, err := resolver(s.Resolver).LookupSRV(ctx, s.Service, s.Proto, s.Name)
	if err != nil {
		return nil, fmt.Errorf("pool: resolve SRV %s: %w", s.Name, err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	lowest := recs[0].Priority
	for _, r := range recs {
		lowest = min(lowest, r.Priority)
	}
	ts := make([]Target, 0, len(recs))
	for _, r := range recs {
		if r.Priority != lowest {
			continue
		}
		w := float64(r.Weight)
		if w == 0 {
			w = 1
		}
		host := strings.TrimSuffix(r.Target, ".")
		ts = append(ts, Target{URL: wsURL(s.Scheme, host, int(r.Port), s.Path), Weight: w})
	}
	return ts, nil
}

func resolver(r Resolver) Resolver {
	if r == nil {
		return net.DefaultResolver
	}
	return r
}

func wsURL(scheme, host string, port int, path string) string {
	if scheme == "" {
		scheme = "ws"
	}
	if path == "" {
		path = "/kurento"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: path}
	return u.String()
}
