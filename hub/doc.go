// Package hub holds the handles of the Kurento hubs, which mix or route
// media between several elements ([Composite], [Mixer], [AlphaBlending],
// [Dispatcher], [DispatcherOneToMany], all embedding [Hub]), and of
// [HubPort], the media element that connects an element to a hub.
//
// A hub is created in a *pipeline.MediaPipeline; a port is created on a hub
// (any [HubHandle]): hub.NewHubPort(ctx, composite, nil).
//
// Calls, errors, nil handles, transactions, event channels and lookups by
// id follow the rules the [github.com/gokurento/kurento/element] package
// documentation states for every handle.
//
// # Lifetime
//
// A hub lives until it is released, or its pipeline is, or its session
// ends. Ports live inside their hub and go with it.
package hub

//go:generate go run ../internal/cmd/kmdgen -pkg hub
