package kurentotest

import (
	"net/url"
	"slices"
	"time"

	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// This file drives PlayerEndpoint through its states, following
// real-kms/h_recorder_player.frames.txt:
//
//   - play: UriEndpointStateChanged START, then the player produces audio
//     and video (MediaFlowOutStateChanged FLOWING on each link), and after
//     the duration set with [WithPlayerDuration] UriEndpointStateChanged
//     STOP and EndOfStream. A player whose URI was declared missing with
//     [WithMissingURIs] (or whose URI has no scheme KMS reads) instead
//     emits Error INVALID_URI ("Invalid URI", errorCode 0) and then START,
//     and produces nothing.
//   - pause: PAUSE; stop: STOP, before the reply.
//
// With [WithMedia] the media engine plays the file instead, and its end
// of file brings STOP and EndOfStream.

// playerState is a player's timing: remaining play time and when the
// current run started; gen invalidates scheduled end-of-stream timers.
type playerState struct {
	remaining time.Duration
	started   time.Time
	gen       int
	inited    bool
}

func playerOf(o *object) *playerState {
	if o.player == nil {
		o.player = &playerState{}
	}
	return o.player
}

func playerBehaviour() behaviour {
	return behaviour{name: "player", engineNodes: []engineNode{
		{class: "PlayerEndpoint", add: (*media.Engine).AddPlayer},
	}, defaults: []propertyDefault{
		{class: "PlayerEndpoint", prop: "state", value: "STOP"},
	}, ops: opsOf("PlayerEndpoint", map[string]opFunc{
		"play":  playerPlay,
		"pause": playerPause,
		"stop":  playerStop,
		"setPosition": func(x *invocation) (any, *rpcError) {
			// Without a playing stream there is nothing to seek in.
			if x.obj.props["state"] != "START" {
				return nil, kmsError(kms.CodePlayerSeekFail, kms.MsgSeekFails)
			}
			return nil, nil
		},
	})}
}

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
	u := playerOf(o)
	if !u.inited || u.remaining <= 0 {
		u.remaining, u.inited = st.s.opts.playerDuration, true
	}
	st.setURIState(o, "START")
	for _, mt := range flowTypes() {
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
	s.later(d, nil, func() {
		if s.st != st {
			return
		}
		o, ok := st.objects[id]
		if !ok {
			return
		}
		u := playerOf(o)
		if u.gen != gen || o.props["state"] != "START" {
			return
		}
		st.playerEnded(o)
	})
}

// playerEnded ends a player's stream: STOP and EndOfStream.
func (st *state) playerEnded(o *object) {
	playerOf(o).remaining = 0
	st.stopSource(o)
	st.setURIState(o, "STOP")
	st.emit(o.id, "EndOfStream", nil)
}

func (st *state) stopSource(o *object) {
	for _, mt := range flowTypes() {
		delete(st.flows, flowKey{o.id, mt, flowSrc})
	}
}

func playerPause(x *invocation) (any, *rpcError) {
	o := x.obj
	u := playerOf(o)
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
	u := playerOf(o)
	u.gen++
	u.remaining = 0
	if eng := x.st.s.media; eng != nil {
		eng.StopPlayer(o.id)
	}
	x.st.stopSource(o)
	x.st.setURIState(o, "STOP")
	return nil, nil
}

// mediaPlay plays a player's file; false without media. A file the engine
// cannot read gives Error INVALID_URI and no media, like a KMS that cannot
// open the URI.
func (st *state) mediaPlay(o *object) bool {
	eng := st.s.media
	if eng == nil {
		return false
	}
	st.mediaFile(o, func(path string) error {
		eng.AddPlayer(o.id)
		return eng.Play(o.id, path)
	})
	st.setURIState(o, "START")
	return true
}
