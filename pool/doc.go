// Package pool spreads work over several Kurento Media Servers. KMS has no
// clustering: a pool keeps one client per server, places each new unit of
// work (a room, a broadcast, a call: a key the application names) on the
// least-loaded healthy server, keeps a key on its server while its work
// lives, and tells the application which keys were lost with a server's
// session so it can rebuild them elsewhere.
//
//	p, err := pool.New(ctx, pool.SRVRecords{Service: "kurento", Proto: "tcp", Name: "kms.media.svc"})
//	defer p.Close()
//	pl, err := p.Place(ctx, "room-42")
//	defer pl.Release()
//	mp, err := pipeline.NewMediaPipeline(ctx, pl.Client(), nil)
//
// # Servers
//
// A [Discovery] lists the servers: [Static] URLs, [HostRecords] (A/AAAA,
// one server per address, as a Kubernetes headless service resolves) or
// [SRVRecords]. It is asked again every resolve interval; new servers are
// dialed and join, servers no longer listed take no new keys and are closed
// once their keys are released. A failing lookup keeps the current servers.
//
// # Placement
//
// Each server's load comes from its ServerManager: used CPU and memory are
// read every refresh interval and right after a key is placed on it; its
// pipelines (of every client) are listed once per session and then followed
// through the ServerManager's ObjectCreated and ObjectDestroyed events.
// Listing is not repeated because getPipelines makes KMS reference every
// pipeline from its session "" and mark that session in use, so polling it
// would keep pipelines of closed or crashed clients alive indefinitely.
// A key just placed counts as one pipeline until a new pipeline shows up or
// a refresh interval passed, so a burst of placements spreads out. The [Policy] scores the eligible servers and the
// lowest score wins: [LeastLoaded] (weights per measure, caps of pipelines
// and CPU, divided by the server's weight) or the application's [PolicyFunc].
// A server is eligible when its client is ready, its load was read since its
// session started, and it is neither draining ([Pool.Drain]) nor leaving.
//
// # Failover
//
// A reconnecting server takes no new keys. When its client comes back with
// the session lost (KMS restarted), or it stays unreachable longer than
// [WithLostAfter], each of its keys gets a [Failover] on the channels of
// [Pool.Failovers] and its [Placement.Lost] channel is closed; the key is
// forgotten, so placing it again chooses a healthy server.
//
// # Concurrency
//
// A Pool and its Placements are safe for concurrent use. Each server has one
// goroutine that owns its client, its health and its load; the load reads and
// subscriptions run on short-lived goroutines. Place itself does no I/O.
// A Policy runs under the pool's lock and must not call the pool.
//
// # Lifetime
//
// [Pool.Close] closes every client (sending closeSession, so KMS frees the
// objects only the pool's sessions owned) and every Failovers channel, and
// returns after the pool's goroutines exited.
package pool
