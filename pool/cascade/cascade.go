// Package cascade relays media from a pipeline on one Kurento Media Server
// to a pipeline on another, so one source can feed more sinks than one
// server holds (a one-to-many broadcast spread over several servers).
//
//	link, err := cascade.Relay(ctx, presenterEndpoint, farPipeline, nil)
//	err = link.Source().Connect(ctx, viewerEndpoint, nil) // on the far server
//
// A relay is a pair of RtpEndpoints: one in the source's pipeline, connected
// from the source, and one in the far pipeline, whose output is the relayed
// media. The SDK negotiates them (generateOffer on the near one, processOffer
// on the far one, processAnswer back); media then goes as plain RTP (SRTP
// with Options.Crypto) between the servers, to the address each KMS puts in
// its SDP (a KMS 7.3 with its default configuration wrote the address of its
// machine's network interface, not 127.0.0.1), so the servers must reach
// each other there.
//
// # Lifetime
//
// The two endpoints live and die together: when either is released through
// its client (directly or with its pipeline), or its server's session is
// lost, or its client closes, the link releases the other one and
// [Link.Done] is closed. [Link.Close] ends it on purpose. Objects released by
// another client of the server are not noticed (KMS tells only the client
// that released them).
//
// # Concurrency
//
// A Link is safe for concurrent use; one goroutine per link watches the two
// endpoints until the link ends.
package cascade

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

// Options are the optional settings of Relay; nil means defaults.
type Options struct {
	// Crypto makes both RtpEndpoints use SRTP with these keys (see
	// types.SDES); nil sends plain RTP.
	Crypto *types.SDES
	// ReleaseTimeout bounds the release of the surviving endpoint when the
	// other side ended. Default 10 s.
	ReleaseTimeout time.Duration
}

// Link is a running relay between two servers.
type Link struct {
	near, far *endpoint.RtpEndpoint
	timeout   time.Duration
	cancel    context.CancelFunc
	done      chan struct{}
}

// Relay carries the media of src into the pipeline dst, usually on another
// server. It creates an RtpEndpoint next to src (in src's pipeline) and one
// in dst, negotiates them, and connects src to the near one; connect
// [Link.Source] to the elements of dst that should receive the media. ctx
// bounds the set-up; on failure everything created is released again.
func Relay(ctx context.Context, src element.Source, dst *pipeline.MediaPipeline, opts *Options) (l *Link, err error) {
	if src == nil || dst == nil {
		return nil, fmt.Errorf("cascade: nil source or destination: %w", client.ErrInvalidArgument)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ReleaseTimeout <= 0 {
		o.ReleaseTimeout = 10 * time.Second
	}
	ep := element.MediaElementFromObject(src.Object())
	parent, err := ep.GetMediaPipeline(ctx)
	if err != nil {
		return nil, fmt.Errorf("cascade: pipeline of the source: %w", err)
	}
	nearPipeline := pipeline.MediaPipelineFromObject(parent.Object())
	rtpOpts := &endpoint.RtpEndpointOptions{Crypto: o.Crypto}
	near, err := endpoint.NewRtpEndpoint(ctx, nearPipeline, rtpOpts)
	if err != nil {
		return nil, fmt.Errorf("cascade: near endpoint: %w", err)
	}
	var far *endpoint.RtpEndpoint
	defer func() {
		if err != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.ReleaseTimeout)
			defer cancel()
			_ = near.Release(rctx)
			if far != nil {
				_ = far.Release(rctx)
			}
		}
	}()
	if far, err = endpoint.NewRtpEndpoint(ctx, dst, rtpOpts); err != nil {
		return nil, fmt.Errorf("cascade: far endpoint: %w", err)
	}
	offer, err := near.GenerateOffer(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("cascade: offer: %w", err)
	}
	answer, err := far.ProcessOffer(ctx, offer)
	if err != nil {
		return nil, fmt.Errorf("cascade: answer: %w", err)
	}
	if _, err = near.ProcessAnswer(ctx, answer); err != nil {
		return nil, fmt.Errorf("cascade: process answer: %w", err)
	}
	if err = ep.Connect(ctx, near, nil); err != nil {
		return nil, fmt.Errorf("cascade: connect source: %w", err)
	}
	// The watch subscriptions end when their object is released through its
	// client, its session is lost or its client closes: that is the other
	// side's cue. They live until the link ends, not with ctx.
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	nearEvents, err := near.OnMediaFlowInStateChanged(wctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("cascade: watch near endpoint: %w", err)
	}
	farEvents, err := far.OnMediaFlowOutStateChanged(wctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("cascade: watch far endpoint: %w", err)
	}
	l = &Link{near: near, far: far, timeout: o.ReleaseTimeout, cancel: cancel, done: make(chan struct{})}
	go l.watch(wctx, nearEvents, farEvents)
	return l, nil
}

// watch waits for either side to end, then releases both.
func (l *Link) watch(ctx context.Context, a <-chan event.MediaFlowInStateChanged, b <-chan event.MediaFlowOutStateChanged) {
	defer close(l.done)
	for a != nil && b != nil {
		select {
		case _, ok := <-a:
			if !ok {
				a = nil
			}
		case _, ok := <-b:
			if !ok {
				b = nil
			}
		}
	}
	l.cancel()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.timeout)
	defer cancel()
	_ = l.release(rctx)
}

func (l *Link) release(ctx context.Context) error {
	return errors.Join(gone(l.near.Release(ctx)), gone(l.far.Release(ctx)))
}

// gone drops the errors that mean the object no longer exists anyway.
func gone(err error) error {
	if errors.Is(err, client.ErrSessionLost) || errors.Is(err, client.ErrClosed) {
		return nil
	}
	return err
}

// Source returns the far RtpEndpoint: its output is the relayed media.
func (l *Link) Source() *endpoint.RtpEndpoint { return l.far }

// Near returns the RtpEndpoint in the source's pipeline.
func (l *Link) Near() *endpoint.RtpEndpoint { return l.near }

// Done is closed once the link ended and both endpoints were released (or
// their releases failed).
func (l *Link) Done() <-chan struct{} { return l.done }

// Close releases both endpoints within ctx and returns once the link's
// goroutine exited. Endpoints already gone with their session or client are
// not an error. Close is idempotent.
func (l *Link) Close(ctx context.Context) error {
	err := l.release(ctx)
	l.cancel()
	<-l.done
	return err
}
