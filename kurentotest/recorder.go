package kurentotest

import "github.com/gokurento/kurento/kurentotest/internal/media"

// This file drives RecorderEndpoint through its states, following
// real-kms/h_recorder_player.frames.txt:
//
//   - record with no media arriving succeeds but keeps the state STOP and
//     sends no event; when media arrives (or if it already flows),
//     UriEndpointStateChanged START and Recording.
//   - pause: PAUSE and Paused; stop and stopAndWait: STOP (and Stopped for
//     a recorder that had started), before the reply.
//
// With [WithMedia] the media engine also writes the file of the URI.

// recorderState is a recorder's wait for media.
type recorderState struct {
	pending bool // record called, waiting for media
}

func recorderOf(o *object) *recorderState {
	if o.recorder == nil {
		o.recorder = &recorderState{}
	}
	return o.recorder
}

func recorderBehaviour() behaviour {
	return behaviour{
		name:        "recorder",
		engineNodes: []engineNode{{class: "RecorderEndpoint", add: (*media.Engine).AddRecorder}},
		defaults: []propertyDefault{
			{class: "RecorderEndpoint", prop: "state", value: "STOP"},
		},
		ops: opsOf("RecorderEndpoint", map[string]opFunc{
			"record":      recorderRecord,
			"pause":       recorderPause,
			"stop":        recorderStop,
			"stopAndWait": recorderStop,
		}),
		mediaIn: []mediaHook{{class: "RecorderEndpoint", fn: (*state).recorderMediaArrived}},
	}
}

func recorderRecord(x *invocation) (any, *rpcError) {
	st, o := x.st, x.obj
	if o.props["state"] == "START" {
		return nil, nil
	}
	st.mediaRecord(o)
	if !st.mediaIn(o) {
		recorderOf(o).pending = true
		return nil, nil
	}
	st.startRecording(o)
	return nil, nil
}

// mediaIn reports whether media arrives at o.
func (st *state) mediaIn(o *object) bool {
	for _, mt := range flowTypes() {
		if st.flows[flowKey{o.id, mt, flowIn}] {
			return true
		}
	}
	return false
}

func (st *state) startRecording(o *object) {
	recorderOf(o).pending = false
	st.setURIState(o, "START")
	st.emit(o.id, "Recording", nil)
}

func (st *state) recorderMediaArrived(o *object) {
	if recorderOf(o).pending {
		st.startRecording(o)
	}
}

func recorderPause(x *invocation) (any, *rpcError) {
	st, o := x.st, x.obj
	recorderOf(o).pending = false
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
	recorderOf(o).pending = false
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

// mediaRecord starts writing a recorder's file; false without media.
func (st *state) mediaRecord(o *object) bool {
	eng := st.s.media
	if eng == nil {
		return false
	}
	st.mediaFile(o, func(path string) error {
		eng.AddRecorder(o.id)
		return eng.Record(o.id, path)
	})
	return true
}
