package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// capture is an outlet that keeps what reaches it.
type capture struct {
	mu   sync.Mutex
	got  []*rtp.Packet
	from []*source
}

func (c *capture) write(_ Kind, src *source, p *rtp.Packet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, p)
	c.from = append(c.from, src)
}
func (c *capture) accepts(Kind, string) bool { return true }
func (c *capture) close()                    {}

func (c *capture) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
}

func addCapture(e *Engine, id string) *capture {
	c := &capture{}
	e.mu.Lock()
	n := e.newNode(id)
	n.out = c
	e.nodes[id] = n
	e.mu.Unlock()
	return c
}

// send makes a packet leave node id as if it came from src.
func send(e *Engine, id string, src *source, seq uint16) {
	e.forward(e.node(id), src.kind, src, &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: uint32(seq) * 3000}}, false, 0)
}

func TestRoutesFanOutPassThroughAndDisconnect(t *testing.T) {
	e := New(Config{})
	defer e.Close()
	e.AddElement("src")
	e.AddElement("pt")
	a, b := addCapture(e, "a"), addCapture(e, "b")
	e.SetRoutes([]Route{
		{Source: "src", Sink: "pt", Kind: Video},
		{Source: "pt", Sink: "a", Kind: Video},
		{Source: "pt", Sink: "b", Kind: Video},
		{Source: "pt", Sink: "b", Kind: Audio},
	})
	src := &source{kind: Video, mime: "video/VP8", clock: 90000}
	for i := range 3 {
		send(e, "src", src, uint16(i))
	}
	assert.Equal(t, 3, a.count())
	assert.Equal(t, 3, b.count())

	e.SetRoutes([]Route{{Source: "src", Sink: "pt", Kind: Video}, {Source: "pt", Sink: "b", Kind: Video}})
	send(e, "src", src, 3)
	assert.Equal(t, 3, a.count(), "a was disconnected")
	assert.Equal(t, 4, b.count())
}

func TestHubPortsDoNotEcho(t *testing.T) {
	e := New(Config{})
	defer e.Close()
	epA, epB := addCapture(e, "epA"), addCapture(e, "epB")
	e.AddHubPort("pA")
	e.AddHubPort("pB")
	e.SetRoutes([]Route{
		{Source: "pA", Sink: "epA", Kind: Video},
		{Source: "pB", Sink: "epB", Kind: Video},
		{Source: "pA", Sink: "pB", Kind: Video, Hub: true},
		{Source: "pB", Sink: "pA", Kind: Video, Hub: true},
	})
	srcA := &source{kind: Video, mime: "video/VP8", clock: 90000}
	// epA's media enters port A (as through a link epA → pA).
	e.node("pA").receive(Video, srcA, &rtp.Packet{}, false, 0)
	assert.Equal(t, 0, epA.count(), "no echo to the sender")
	assert.Equal(t, 1, epB.count(), "the other participant gets it")
}

func TestSinkTakesOneSourceAndRewrites(t *testing.T) {
	e := New(Config{})
	defer e.Close()
	e.AddElement("s1")
	e.AddElement("s2")
	out := addCapture(e, "out")
	e.SetRoutes([]Route{{Source: "s1", Sink: "out", Kind: Video}, {Source: "s2", Sink: "out", Kind: Video}})
	keyframes := 0
	one := &source{kind: Video, mime: "video/VP8", clock: 90000, keyframe: func() { keyframes++ }}
	two := &source{kind: Video, mime: "video/VP8", clock: 90000, keyframe: func() { keyframes++ }}
	send(e, "s1", one, 100)
	send(e, "s2", two, 5000) // dropped: s1 is the current source
	send(e, "s1", one, 101)
	require.Equal(t, 2, out.count())
	assert.Equal(t, 1, keyframes, "taking a source asks it for a key frame")

	// A change of routes lets the sink take the next source that sends;
	// the stream continues where it was.
	e.SetRoutes([]Route{{Source: "s2", Sink: "out", Kind: Video}})
	send(e, "s2", two, 5000)
	require.Equal(t, 3, out.count())
	assert.Equal(t, 2, keyframes)
	assert.Equal(t, uint16(102), out.got[2].SequenceNumber)
	assert.Greater(t, out.got[2].Timestamp, out.got[1].Timestamp)
}

func TestFlowEventsStartAndStop(t *testing.T) {
	events := make(chan Event, 16)
	e := New(Config{OnEvent: func(ev Event) { events <- ev }})
	defer e.Close()
	e.AddElement("src")
	e.AddElement("pt")
	e.SetRoutes([]Route{{Source: "src", Sink: "pt", Kind: Audio}})
	send(e, "src", &source{kind: Audio, mime: "audio/opus", clock: 48000}, 1)
	// The packet leaves src, enters pt and leaves pt, which has no
	// route: what leaves an element flows out, routes or not.
	type flow struct {
		node string
		typ  EventType
	}
	got := map[flow]Event{}
	for len(got) < 3 {
		ev := <-events
		got[flow{ev.Node, ev.Type}] = ev
	}
	assert.Equal(t, Event{Node: "src", Type: EventFlowOut, Kind: Audio, Flowing: true}, got[flow{"src", EventFlowOut}])
	assert.Equal(t, Event{Node: "pt", Type: EventFlowIn, Kind: Audio, Flowing: true}, got[flow{"pt", EventFlowIn}])
	assert.Equal(t, Event{Node: "pt", Type: EventFlowOut, Kind: Audio, Flowing: true}, got[flow{"pt", EventFlowOut}])
	// Nothing more is sent: the flows stop after FlowTimeout.
	stopped := map[flow]bool{}
	for len(stopped) < 3 {
		ev := <-events
		assert.False(t, ev.Flowing)
		stopped[flow{ev.Node, ev.Type}] = true
	}
}

func TestReplaceSSRCs(t *testing.T) {
	answer := strings.Join([]string{
		"v=0", "o=- 1 0 IN IP4 0.0.0.0", "s=Kurento Media Server", "t=0 0",
		"m=audio 1 UDP/TLS/RTP/SAVPF 111", "a=sendrecv", "a=mid:0", "a=ssrc:111 cname:x",
		"m=video 1 UDP/TLS/RTP/SAVPF 96", "a=ssrc:222 cname:x", "a=mid:1",
		"",
	}, "\r\n")
	got := replaceSSRCs(answer, map[string]webrtc.SSRC{"0": 7, "1": 8})
	assert.Contains(t, got, "\r\na=ssrc:7 cname:x\r\n")
	assert.Contains(t, got, "\r\na=ssrc:8 cname:x\r\n")
	assert.Equal(t, strings.Count(answer, "\r\n"), strings.Count(got, "\r\n"))
}

func TestVP8KeyFrameSize(t *testing.T) {
	w, h, ok := vp8KeyFrameSize([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01})
	require.True(t, ok)
	assert.Equal(t, 640, w)
	assert.Equal(t, 480, h)
	_, _, ok = vp8KeyFrameSize([]byte{0x11, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01})
	assert.False(t, ok, "an inter frame has no size")
}

func ivfFile(frames ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("DKIF")
	_ = binary.Write(&b, binary.LittleEndian, []uint16{0, 32})
	b.WriteString("VP80")
	_ = binary.Write(&b, binary.LittleEndian, []uint16{320, 240})
	_ = binary.Write(&b, binary.LittleEndian, []uint32{30, 1, uint32(len(frames)), 0})
	for i, f := range frames {
		_ = binary.Write(&b, binary.LittleEndian, uint32(len(f)))
		_ = binary.Write(&b, binary.LittleEndian, uint64(i))
		b.Write(f)
	}
	return b.Bytes()
}

func TestIVFFrames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ivf")
	require.NoError(t, os.WriteFile(path, ivfFile([]byte{1, 2}, []byte{3}), 0o600))
	r, k, mime, clock, err := openMedia(path)
	require.NoError(t, err)
	defer r.close()
	assert.Equal(t, Video, k)
	assert.Equal(t, "video/VP8", mime)
	assert.Equal(t, uint32(90000), clock)
	f, at, err := r.next()
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 2}, f)
	assert.Equal(t, time.Duration(0), at)
	f, at, err = r.next()
	require.NoError(t, err)
	assert.Equal(t, []byte{3}, f)
	assert.Equal(t, time.Second/30, at)
	_, _, err = r.next()
	require.ErrorIs(t, err, io.EOF)

	other := filepath.Join(t.TempDir(), "a.mp4")
	require.NoError(t, os.WriteFile(other, []byte("x"), 0o600))
	_, _, _, _, err = openMedia(other)
	assert.ErrorContains(t, err, "only .ivf (VP8) and .ogg (Opus) files play")
}

// FuzzIVF reads arbitrary bytes as an IVF file: errors, never a panic or
// a huge allocation.
func FuzzIVF(f *testing.F) {
	f.Add(ivfFile([]byte{1, 2, 3}, []byte{4}))
	f.Add([]byte("DKIF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.ivf")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		r, _, _, _, err := openMedia(path)
		if err != nil {
			return
		}
		defer r.close()
		for range 1000 {
			if _, _, err := r.next(); err != nil {
				if !errors.Is(err, io.EOF) {
					assert.ErrorContains(t, err, "IVF frame of")
				}
				return
			}
		}
	})
}
