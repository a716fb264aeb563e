package main

import (
	"context"
	"crypto/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/kurentotest"
)

// page is a pion peer playing a browser page: it offers with its
// candidates in the SDP (no trickle from its side) and adds the server's.
type page struct {
	pc    *webrtc.PeerConnection
	video *webrtc.TrackLocalStaticSample
	// packets counts the video packets received.
	packets atomic.Int64
	wg      sync.WaitGroup
}

func newPage(ctx context.Context, t *testing.T, conn *signal.Conn, role string) *page {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	me := &webrtc.MediaEngine{}
	require.NoError(t, me.RegisterDefaultCodecs())
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	p := &page{pc: pc}
	readCtx, stopReading := context.WithCancel(ctx)
	t.Cleanup(func() {
		stopReading()
		_ = pc.GracefulClose()
		p.wg.Wait()
	})
	if role == rolePresenter {
		p.video, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "cam")
		require.NoError(t, err)
		_, err = pc.AddTrack(p.video)
		require.NoError(t, err)
	} else {
		_, err = pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly})
		require.NoError(t, err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			if _, _, err := tr.ReadRTP(); err != nil {
				return
			}
			p.packets.Add(1)
		}
	})
	offer, err := pc.CreateOffer(nil)
	require.NoError(t, err)
	gathered := webrtc.GatheringCompletePromise(pc)
	require.NoError(t, pc.SetLocalDescription(offer))
	<-gathered
	require.NoError(t, conn.Send(ctx, signal.Message{Type: signal.TypeOffer, Role: role, SDP: pc.LocalDescription().SDP}))
	p.wg.Go(func() {
		for {
			m, err := conn.Read(readCtx)
			if err != nil {
				return
			}
			switch m.Type {
			case signal.TypeAnswer:
				_ = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.SDP})
			case signal.TypeCandidate:
				if m.Candidate != nil {
					mid, idx := m.Candidate.SdpMid, uint16(m.Candidate.SdpMLineIndex) //nolint:gosec // small
					_ = pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: m.Candidate.Candidate, SDPMid: &mid, SDPMLineIndex: &idx})
				}
			}
		}
	})
	return p
}

// present sends made-up VP8 frames (a key frame every 10) at 25 a second
// until ctx ends: the fakes forward packets, they do not decode them.
func (p *page) present(ctx context.Context) {
	p.wg.Go(func() {
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			f := make([]byte, 600)
			_, _ = rand.Read(f)
			f[0] = 0x10
			if i%10 != 0 {
				f[0] |= 1
			}
			copy(f[3:], []byte{0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00})
			_ = p.video.WriteSample(pmedia.Sample{Data: f, Duration: 40 * time.Millisecond})
		}
	})
}

// TestEdgeViewerGetsMedia runs the program on two fakes with media on:
// with one viewer per pipeline the second viewer watches from an edge on
// the other fake, fed through a relay, and receives the presenter's video.
func TestEdgeViewerGetsMedia(t *testing.T) {
	ctx, srvs, open := setup(t, 1, kurentotest.WithMedia())
	pres := newPage(ctx, t, open(), rolePresenter)
	presCtx, stop := context.WithCancel(ctx)
	defer stop()
	pres.present(presCtx)
	v1 := newPage(ctx, t, open(), roleViewer)
	v2 := newPage(ctx, t, open(), roleViewer)
	for v1.packets.Load() < 25 || v2.packets.Load() < 25 {
		select {
		case <-ctx.Done():
			t.Fatalf("video packets: origin viewer %d, edge viewer %d", v1.packets.Load(), v2.packets.Load())
		case <-time.After(20 * time.Millisecond):
		}
	}
	rtp := count(srvs, "RtpEndpoint")
	require.Equal(t, [2]int{1, 1}, rtp, "one relay between the two fakes")
	t.Logf("video packets: origin viewer %d, edge viewer %d", v1.packets.Load(), v2.packets.Load())
}
