package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pion/randutil"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// playerNode plays a file into its routes in real time: VP8 in IVF as
// video, Opus in Ogg (one packet per page) as audio.
type playerNode struct {
	n *node

	mu      sync.Mutex
	path    string
	r       frameReader
	src     *source
	pk      rtp.Packetizer
	stop    chan struct{} // closes to end the running play
	stopped chan struct{} // closed when it ended
	played  time.Duration // media time already played
}

// frameReader gives a file's frames with their media time.
type frameReader interface {
	next() ([]byte, time.Duration, error)
	close()
}

// AddPlayer adds a player node (nothing plays before [Engine.Play]).
func (e *Engine) AddPlayer(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.nodes[id] != nil {
		return
	}
	n := e.newNode(id)
	p := &playerNode{n: n}
	n.out = p
	e.nodes[id] = n
}

func (e *Engine) player(id string) (*playerNode, error) {
	n := e.node(id)
	if n == nil {
		return nil, fmt.Errorf("media: no node %s", id)
	}
	p, ok := n.out.(*playerNode)
	if !ok {
		return nil, fmt.Errorf("media: %s is not a player", id)
	}
	return p, nil
}

// Play plays path from where the player paused (or from the start),
// emitting EventEndOfStream at the end. An unreadable file is an error.
func (e *Engine) Play(id, path string) error {
	p, err := e.player(id)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		return nil // playing
	}
	if p.r == nil || p.path != path {
		if p.r != nil {
			p.r.close()
		}
		r, kind, mime, clock, err := openMedia(path)
		if err != nil {
			return err
		}
		p.r, p.path, p.played = r, path, 0
		p.src = &source{node: p.n, kind: kind, mime: mime, clock: clock}
		var pay rtp.Payloader = &codecs.VP8Payloader{EnablePictureID: true}
		if kind == Audio {
			pay = &codecs.OpusPayloader{}
		}
		p.pk = rtp.NewPacketizer(1200, 0, randutil.NewMathRandomGenerator().Uint32(), pay, rtp.NewRandomSequencer(), clock)
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	p.stop, p.stopped = stop, stopped
	r, src, pk, from := p.r, p.src, p.pk, p.played
	e.wg.Go(func() {
		defer close(stopped)
		p.run(stop, r, src, pk, from)
	})
	return nil
}

// PausePlayer stops playing, keeping the position.
func (e *Engine) PausePlayer(id string) {
	if p, err := e.player(id); err == nil {
		p.halt(false)
	}
}

// StopPlayer stops playing and rewinds.
func (e *Engine) StopPlayer(id string) {
	if p, err := e.player(id); err == nil {
		p.halt(true)
	}
}

func (p *playerNode) halt(rewind bool) {
	p.mu.Lock()
	stop, stopped := p.stop, p.stopped
	p.stop, p.stopped = nil, nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	if rewind {
		p.mu.Lock()
		if p.r != nil {
			p.r.close()
		}
		p.r, p.path, p.played = nil, "", 0
		p.mu.Unlock()
	}
}

func (p *playerNode) run(stop <-chan struct{}, r frameReader, src *source, pk rtp.Packetizer, from time.Duration) {
	start := time.Now().Add(-from)
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	for {
		frame, at, err := r.next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.n.e.log.Debug("media: player read", "node", p.n.id, "err", err)
			}
			p.mu.Lock()
			if p.stop == stop {
				p.r.close()
				p.stop, p.stopped, p.r, p.path, p.played = nil, nil, nil, "", 0
			}
			p.mu.Unlock()
			p.n.e.emit(Event{Node: p.n.id, Type: EventEndOfStream})
			return
		}
		t.Reset(time.Until(start.Add(at)))
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ts := uint32(at.Seconds() * float64(src.clock))
		for _, pkt := range pk.Packetize(frame, 0) {
			pkt.Timestamp = ts
			p.n.e.forward(p.n, src.kind, src, pkt, false, 0)
		}
		p.mu.Lock()
		if p.stop == stop {
			p.played = at
		}
		p.mu.Unlock()
	}
}

// A player takes nothing from the pipeline.
func (p *playerNode) write(Kind, *source, *rtp.Packet) {}
func (p *playerNode) accepts(Kind, string) bool        { return false }
func (p *playerNode) close() {
	p.halt(true)
}

// openMedia opens a file the player can read.
func openMedia(path string) (frameReader, Kind, string, uint32, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the application names the file, as with KMS
	if err != nil {
		return nil, 0, "", 0, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ivf":
		v, err := newIVFFrames(f)
		if err != nil {
			_ = f.Close()
			return nil, 0, "", 0, fmt.Errorf("%s: %w", path, err)
		}
		return v, Video, "video/VP8", 90000, nil
	case ".ogg", ".opus":
		r, _, err := oggreader.NewWith(f)
		if err != nil {
			_ = f.Close()
			return nil, 0, "", 0, fmt.Errorf("%s: %w", path, err)
		}
		return &oggFrames{f: f, r: r}, Audio, "audio/opus", 48000, nil
	}
	_ = f.Close()
	return nil, 0, "", 0, fmt.Errorf("%s: only .ivf (VP8) and .ogg (Opus) files play", path)
}

// ivfFrames reads an IVF file: a 32-byte header ("DKIF", version, header
// size, FourCC, width, height, time base rate and scale, frame count),
// then frames of a 12-byte header (size, 64-bit pts) and the data.
type ivfFrames struct {
	f           *os.File
	rate, scale uint64
}

func newIVFFrames(f *os.File) (*ivfFrames, error) {
	var h [32]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return nil, fmt.Errorf("IVF header: %w", err)
	}
	if string(h[0:4]) != "DKIF" {
		return nil, errors.New("not an IVF file")
	}
	if string(h[8:12]) != "VP80" {
		return nil, fmt.Errorf("codec %q, only VP8 plays", string(h[8:12]))
	}
	v := &ivfFrames{f: f, rate: uint64(binary.LittleEndian.Uint32(h[16:20])), scale: uint64(binary.LittleEndian.Uint32(h[20:24]))}
	if v.rate == 0 || v.scale == 0 {
		return nil, errors.New("IVF time base is zero")
	}
	if hs := int64(binary.LittleEndian.Uint16(h[6:8])); hs > 32 {
		if _, err := f.Seek(hs, io.SeekStart); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// maxFrame bounds a frame's size, so a damaged file cannot ask for
// gigabytes.
const maxFrame = 16 << 20

func (v *ivfFrames) next() ([]byte, time.Duration, error) {
	var h [12]byte
	if _, err := io.ReadFull(v.f, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, io.EOF // a truncated file ends there
		}
		return nil, 0, err
	}
	size := binary.LittleEndian.Uint32(h[0:4])
	if size > maxFrame {
		return nil, 0, fmt.Errorf("IVF frame of %d bytes", size)
	}
	frame := make([]byte, size)
	if _, err := io.ReadFull(v.f, frame); err != nil {
		return nil, 0, io.EOF
	}
	pts := binary.LittleEndian.Uint64(h[4:12])
	at := time.Duration(pts * v.scale * uint64(time.Second) / v.rate) //nolint:gosec // G115: file times are small
	return frame, at, nil
}

func (v *ivfFrames) close() { _ = v.f.Close() }

type oggFrames struct {
	f *os.File
	r *oggreader.OggReader
	// at is the media time of the next packet: the granule position of a
	// page is the time at its end.
	at time.Duration
}

func (o *oggFrames) next() ([]byte, time.Duration, error) {
	for {
		payload, h, err := o.r.ParseNextPage()
		if err != nil {
			return nil, 0, err
		}
		if bytes.HasPrefix(payload, []byte("OpusTags")) || bytes.HasPrefix(payload, []byte("OpusHead")) {
			continue
		}
		at := o.at
		o.at = time.Duration(h.GranulePosition) * time.Second / 48000 //nolint:gosec // G115: file times are small
		return payload, at, nil
	}
}

func (o *oggFrames) close() { _ = o.f.Close() }
