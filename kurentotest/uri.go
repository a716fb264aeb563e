package kurentotest

import (
	"net/url"
	"slices"
	"time"
)

// This file drives PlayerEndpoint and RecorderEndpoint through their
// states, following real-kms/h_recorder_player.frames.txt:
//
//   - play: UriEndpointStateChanged START, then the player produces audio
//     and video (MediaFlowOutStateChanged FLOWING on each link), and after
//     the duration set with [WithPlayerDuration] UriEndpointStateChanged
//     STOP and EndOfStream. A player whose URI was declared missing with
//     [WithMissingURIs] (or whose URI has no scheme KMS reads) instead
//     emits Error INVALID_URI ("Invalid URI", errorCode 0) and then START,
//     and produces nothing.
//   - record with no media arriving succeeds but keeps the state STOP and
//     sends no event; when media arrives (or if it already flows),
//     UriEndpointStateChanged START and Recording.
//   - pause: PAUSE (and Paused for a recorder); stop and stopAndWait: STOP
//     (and Stopped for a recorder that had started), before the reply.

type uriState struct {
	pending bool // recorder: record called, waiting for media
	// player timing: remaining play time and when the current run started;
	// gen invalidates scheduled end-of-stream timers.
	remaining time.Duration
	started   time.Time
	gen       int
	inited    bool
}

const uriKey = "uri"

func uriOf(o *object) *uriState {
	u, ok := o.ext[uriKey].(*uriState)
	if !ok {
		u = &uriState{}
		o.ext[uriKey] = u
	}
	return u
}

func init() {
	registerOps("PlayerEndpoint", map[string]opFunc{
		"play":  playerPlay,
		"pause": playerPause,
		"stop":  playerStop,
		"setPosition": func(x *invocation) (any, *rpcError) {
			// Without a playing stream there is nothing to seek in.
			if x.obj.props["state"] != "START" {
				return nil, kmsError(codeSeekFail, "Seek fails")
			}
			return nil, nil
		},
	})
	registerOps("RecorderEndpoint", map[string]opFunc{
		"record":      recorderRecord,
		"pause":       recorderPause,
		"stop":        recorderStop,
		"stopAndWait": recorderStop,
	})
}

func (st *state) setURIState(o *object, state string) bool {
	if o.props["state"] == state {
		return false
	}
	o.props["state"] = state
	st.emit(o.id, "UriEndpointStateChanged", map[string]any{"state": state})
	return true
}

// ---- player ----

func (st *state) uriMissing(uri string) bool {
	if slices.Contains(st.s.opts.missingURIs, uri) {
		return true
	}
	u, err := url.Parse(uri)
	if err != nil {
		return true
	}
	switch u.Scheme {
	case "file", "http", "https", "rtsp", "rtsps":
		return false
	}
	return true
}

func playerPlay(x *invocation) (any, *rpcError) {
	st, o := x.st, x.obj
	if o.props["state"] == "START" {
		return nil, nil
	}
	uri, _ := o.props["uri"].(string)
	if st.uriMissing(uri) {
		st.emit(o.id, "Error", map[string]any{"description": "Invalid URI", "errorCode": 0, "type": "INVALID_URI"})
		st.setURIState(o, "START")
		return nil, nil
	}
	if st.mediaPlay(o) {
		return nil, nil
	}
	u := uriOf(o)
	if !u.inited || u.remaining <= 0 {
		u.remaining, u.inited = st.s.opts.playerDuration, true
	}
	st.setURIState(o, "START")
	for _, mt := range flowTypes {
		st.flows[flowKey{o.id, mt, flowSrc}] = true
	}
	st.propagate(o.id)
	if u.remaining > 0 {
		u.gen++
		u.started = time.Now()
		st.scheduleEOS(o.id, u.gen, u.remaining)
	}
	return nil, nil
}

func (st *state) scheduleEOS(id string, gen int, d time.Duration) {
	s := st.s
	s.wg.Go(func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.done:
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed || s.st != st {
			return
		}
		o, ok := st.objects[id]
		if !ok {
			return
		}
		u := uriOf(o)
		if u.gen != gen || o.props["state"] != "START" {
			return
		}
		u.remaining = 0
		st.stopSource(o)
		st.setURIState(o, "STOP")
		st.emit(id, "EndOfStream", nil)
	})
}

func (st *state) stopSource(o *object) {
	for _, mt := range flowTypes {
		delete(st.flows, flowKey{o.id, mt, flowSrc})
	}
}

func playerPause(x *invocation) (any, *rpcError) {
	o := x.obj
	u := uriOf(o)
	if o.props["state"] == "START" && u.remaining > 0 {
		u.remaining -= time.Since(u.started)
		if u.remaining <= 0 {
			u.remaining = time.Nanosecond
		}
	}
	u.gen++
	if eng := x.st.s.media; eng != nil {
		eng.PausePlayer(o.id)
	}
	x.st.setURIState(o, "PAUSE")
	return nil, nil
}

func playerStop(x *invocation) (any, *rpcError) {
	o := x.obj
	u := uriOf(o)
	u.gen++
	u.remaining = 0
	if eng := x.st.s.media; eng != nil {
		eng.StopPlayer(o.id)
	}
	x.st.stopSource(o)
	x.st.setURIState(o, "STOP")
	return nil, nil
}

// ---- recorder ----

func (st *state) mediaIn(o *object) bool {
	for _, mt := range flowTypes {
		if st.flows[flowKey{o.id, mt, flowIn}] {
			return true
		}
	}
	return false
}

func recorderRecord(x *invocation) (any, *rpcError) {
	st, o := x.st, x.obj
	if o.props["state"] == "START" {
		return nil, nil
	}
	st.mediaRecord(o)
	if !st.mediaIn(o) {
		uriOf(o).pending = true
		return nil, nil
	}
	st.startRecording(o)
	return nil, nil
}

func (st *state) startRecording(o *object) {
	uriOf(o).pending = false
	st.setURIState(o, "START")
	st.emit(o.id, "Recording", nil)
}

func (st *state) recorderMediaArrived(o *object) {
	if uriOf(o).pending {
		st.startRecording(o)
	}
}

func recorderPause(x *invocation) (any, *rpcError) {
	st, o := x.st, x.obj
	uriOf(o).pending = false
	if eng := st.s.media; eng != nil {
		eng.PauseRecording(o.id)
	}
	if o.props["state"] == "START" {
		st.setURIState(o, "PAUSE")
		st.emit(o.id, "Paused", nil)
	}
	return nil, nil
}

func recorderStop(x *invocation) (any, *rpcError) {
	st, o := x.st, x.obj
	uriOf(o).pending = false
	if eng := st.s.media; eng != nil {
		if err := eng.StopRecording(o.id); err != nil {
			st.s.log.Warn("kurentotest: recording", "object", o.id, "err", err)
		}
	}
	if st.setURIState(o, "STOP") {
		st.emit(o.id, "Stopped", nil)
	}
	return nil, nil
}
