package media

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/at-wat/ebml-go/webm"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"
)

// recorderNode writes what reaches it to a WebM file: VP8 video and Opus
// audio, as they arrive (no transcoding; other codecs are left out).
type recorderNode struct {
	n *node

	mu        sync.Mutex
	path      string
	recording bool
	file      *os.File
	tracks    []webm.BlockWriteCloser // video, audio once the file started
	builders  [numKinds]*samplebuilder.SampleBuilder
	start     time.Time
	width     int
	height    int
	err       error
}

// AddRecorder adds a recorder node (nothing is written before
// [Engine.Record]).
func (e *Engine) AddRecorder(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.nodes[id] != nil {
		return
	}
	n := e.newNode(id)
	n.out = &recorderNode{n: n}
	e.nodes[id] = n
}

func (e *Engine) recorder(id string) (*recorderNode, error) {
	n := e.node(id)
	if n == nil {
		return nil, fmt.Errorf("media: no node %s", id)
	}
	r, ok := n.out.(*recorderNode)
	if !ok {
		return nil, fmt.Errorf("media: %s is not a recorder", id)
	}
	return r, nil
}

// Record starts writing to path. The file is created when the first video
// key frame arrives (or, for audio alone, the first audio frame); a
// recording that was paused continues in the same file.
func (e *Engine) Record(id, path string) error {
	r, err := e.recorder(id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.path != "" && r.path != path {
		if err := r.finish(); err != nil {
			r.n.e.log.Warn("media: finishing the previous recording", "node", r.n.id, "err", err)
		}
	}
	r.path, r.recording = path, true
	for k := range r.builders {
		if r.builders[k] == nil {
			if Kind(k) == Video {
				r.builders[k] = samplebuilder.New(128, &codecs.VP8Packet{}, 90000)
			} else {
				r.builders[k] = samplebuilder.New(64, &codecs.OpusPacket{}, 48000)
			}
		}
	}
	return nil
}

// PauseRecording stops writing, keeping the file open.
func (e *Engine) PauseRecording(id string) {
	if r, err := e.recorder(id); err == nil {
		r.mu.Lock()
		r.recording = false
		r.mu.Unlock()
	}
}

// StopRecording finishes the file; it is complete when this returns.
// The error is the first one met while writing.
func (e *Engine) StopRecording(id string) error {
	r, err := e.recorder(id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.finish()
}

// finish closes the file. Called with r.mu held.
func (r *recorderNode) finish() error {
	err := r.err
	for _, t := range r.tracks {
		if cerr := t.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if r.file != nil && len(r.tracks) == 0 {
		_ = r.file.Close()
	}
	r.file, r.tracks, r.path, r.recording, r.err = nil, nil, "", false, nil
	r.builders = [numKinds]*samplebuilder.SampleBuilder{}
	return err
}

func (r *recorderNode) accepts(k Kind, mime string) bool {
	want := "video/VP8"
	if k == Audio {
		want = "audio/opus"
	}
	return strings.EqualFold(mime, want)
}

func (r *recorderNode) write(k Kind, _ *source, p *rtp.Packet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.recording || r.builders[k] == nil || r.err != nil {
		return
	}
	r.builders[k].Push(p)
	for {
		s := r.builders[k].Pop()
		if s == nil {
			return
		}
		r.writeSample(k, s)
	}
}

// writeSample writes one frame. Called with r.mu held.
func (r *recorderNode) writeSample(k Kind, s *pmedia.Sample) {
	if r.tracks == nil {
		if k == Video {
			w, h, ok := vp8KeyFrameSize(s.Data)
			if !ok {
				return // a decoder needs a key frame first
			}
			r.width, r.height = w, h
		} else if r.n.currentSource(Video) != nil {
			return // wait for the video's key frame
		}
		if err := r.open(); err != nil {
			r.err = err
			return
		}
	}
	track := r.tracks[1]
	if k == Video {
		track = r.tracks[0]
	}
	keyframe := k == Audio || isVP8KeyFrame(s.Data)
	ms := time.Since(r.start).Milliseconds()
	if _, err := track.Write(keyframe, ms, s.Data); err != nil {
		r.err = err
	}
}

func (r *recorderNode) open() error {
	f, err := os.Create(r.path)
	if err != nil {
		return err
	}
	tracks := []webm.TrackEntry{
		{
			Name: "Video", TrackNumber: 1, TrackUID: 1, CodecID: "V_VP8", TrackType: 1,
			DefaultDuration: 33333333,
			Video:           &webm.Video{PixelWidth: uint64(r.width), PixelHeight: uint64(r.height)}, //nolint:gosec // G115: sizes are 14 bits
		},
		{
			Name: "Audio", TrackNumber: 2, TrackUID: 2, CodecID: "A_OPUS", TrackType: 2,
			Audio: &webm.Audio{SamplingFrequency: 48000, Channels: 2},
		},
	}
	ws, err := webm.NewSimpleBlockWriter(f, tracks)
	if err != nil {
		_ = f.Close()
		return err
	}
	r.file, r.tracks, r.start = f, ws, time.Now()
	return nil
}

func (r *recorderNode) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.finish()
}

func isVP8KeyFrame(b []byte) bool { return len(b) > 0 && b[0]&1 == 0 }

// vp8KeyFrameSize reads the picture size of a VP8 key frame (RFC 6386
// 9.1: a 3-byte tag, the start code 9d 01 2a, then 14-bit sizes).
func vp8KeyFrameSize(b []byte) (int, int, bool) {
	if len(b) < 10 || !isVP8KeyFrame(b) || b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a {
		return 0, 0, false
	}
	w := int(b[6]) | int(b[7]&0x3f)<<8
	h := int(b[8]) | int(b[9]&0x3f)<<8
	return w, h, true
}
