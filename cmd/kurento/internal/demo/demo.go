// Package demo builds the pipelines that the kurento command's tests and
// its README walkthrough look at: three pipelines of an imaginary
// application, one of them left without a name.
package demo

import (
	"context"
	"fmt"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/hub"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

// Pipelines are what Build made.
type Pipelines struct {
	Unnamed, RoomA, RoomB *pipeline.MediaPipeline
	Alice, Bob, Viewer    *endpoint.WebRtcEndpoint
	Player                *endpoint.PlayerEndpoint
}

// Build creates, in this order (the tool sorts by creation time, then
// name, so the order of its output is fixed):
//   - an unnamed pipeline tagged app=demo;
//   - "room-a" (tags app=demo, room=a): WebRtcEndpoints "alice" and "bob"
//     connected both ways;
//   - "room-b" (tag app=demo): a Composite "mixer" with HubPort "port-1", a
//     PlayerEndpoint "player" and a WebRtcEndpoint "viewer", the player
//     sending video only to the viewer.
func Build(ctx context.Context, c *client.Client) (*Pipelines, error) {
	var d Pipelines
	var err error
	pipe := func(name string, tags ...string) *pipeline.MediaPipeline {
		if err != nil {
			return nil
		}
		var p *pipeline.MediaPipeline
		if p, err = pipeline.NewMediaPipeline(ctx, c, nil); err != nil {
			return nil
		}
		if name != "" {
			err = p.SetName(ctx, name)
		}
		for i := 0; err == nil && i+1 < len(tags); i += 2 {
			err = p.AddTag(ctx, tags[i], tags[i+1])
		}
		return p
	}
	webrtc := func(p *pipeline.MediaPipeline, name string) *endpoint.WebRtcEndpoint {
		if err != nil {
			return nil
		}
		var ep *endpoint.WebRtcEndpoint
		if ep, err = endpoint.NewWebRtcEndpoint(ctx, p, nil); err == nil {
			err = ep.SetName(ctx, name)
		}
		return ep
	}
	d.Unnamed = pipe("", "app", "demo")
	d.RoomA = pipe("room-a", "app", "demo", "room", "a")
	d.Alice = webrtc(d.RoomA, "alice")
	d.Bob = webrtc(d.RoomA, "bob")
	if err == nil {
		err = d.Alice.Connect(ctx, d.Bob, nil)
	}
	if err == nil {
		err = d.Bob.Connect(ctx, d.Alice, nil)
	}
	d.RoomB = pipe("room-b", "app", "demo")
	var mixer *hub.Composite
	if err == nil {
		if mixer, err = hub.NewComposite(ctx, d.RoomB, nil); err == nil {
			err = mixer.SetName(ctx, "mixer")
		}
	}
	if err == nil {
		var port *hub.HubPort
		if port, err = hub.NewHubPort(ctx, mixer, nil); err == nil {
			err = port.SetName(ctx, "port-1")
		}
	}
	if err == nil {
		if d.Player, err = endpoint.NewPlayerEndpoint(ctx, d.RoomB, "file:///media/intro.webm", nil); err == nil {
			err = d.Player.SetName(ctx, "player")
		}
	}
	d.Viewer = webrtc(d.RoomB, "viewer")
	if err == nil {
		err = d.Player.Connect(ctx, d.Viewer, &element.ConnectOptions{MediaType: types.MediaTypeVideo})
	}
	if err != nil {
		return nil, fmt.Errorf("building the demo pipelines: %w", err)
	}
	return &d, nil
}
