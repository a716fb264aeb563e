package kmdgen

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/filter"
	"github.com/gokurento/kurento/hub"
	"github.com/gokurento/kurento/pipeline"
)

// nilHandles holds a nil handle of every class.
var nilHandles = map[string]any{
	"MediaObject":         (*element.MediaObject)(nil),
	"MediaElement":        (*element.MediaElement)(nil),
	"MediaPipeline":       (*pipeline.MediaPipeline)(nil),
	"ServerManager":       (*pipeline.ServerManager)(nil),
	"Endpoint":            (*endpoint.Endpoint)(nil),
	"SessionEndpoint":     (*endpoint.SessionEndpoint)(nil),
	"SdpEndpoint":         (*endpoint.SdpEndpoint)(nil),
	"BaseRtpEndpoint":     (*endpoint.BaseRtpEndpoint)(nil),
	"UriEndpoint":         (*endpoint.UriEndpoint)(nil),
	"HttpEndpoint":        (*endpoint.HttpEndpoint)(nil),
	"HttpPostEndpoint":    (*endpoint.HttpPostEndpoint)(nil),
	"PlayerEndpoint":      (*endpoint.PlayerEndpoint)(nil),
	"RecorderEndpoint":    (*endpoint.RecorderEndpoint)(nil),
	"RtpEndpoint":         (*endpoint.RtpEndpoint)(nil),
	"WebRtcEndpoint":      (*endpoint.WebRtcEndpoint)(nil),
	"Hub":                 (*hub.Hub)(nil),
	"HubPort":             (*hub.HubPort)(nil),
	"AlphaBlending":       (*hub.AlphaBlending)(nil),
	"Composite":           (*hub.Composite)(nil),
	"Dispatcher":          (*hub.Dispatcher)(nil),
	"DispatcherOneToMany": (*hub.DispatcherOneToMany)(nil),
	"Mixer":               (*hub.Mixer)(nil),
	"Filter":              (*filter.Filter)(nil),
	"PassThrough":         (*filter.PassThrough)(nil),
	"FaceOverlayFilter":   (*filter.FaceOverlayFilter)(nil),
	"GStreamerFilter":     (*filter.GStreamerFilter)(nil),
	"ImageOverlayFilter":  (*filter.ImageOverlayFilter)(nil),
	"OpenCVFilter":        (*filter.OpenCVFilter)(nil),
	"ZBarFilter":          (*filter.ZBarFilter)(nil),
}

// TestNilHandle calls every exported method of every handle type on a nil
// handle, with arguments that are themselves valid (live handles of the
// fake, known enum values, non-empty strings), so the nil receiver is the
// only fault: each call must return, not panic, and fail with an error
// matching client.ErrInvalidArgument with the zero value; Object and ID
// give nil and "" without error.
func TestNilHandle(t *testing.T) {
	fx := newFixture(t)
	var classes []string
	for _, c := range fx.f.Classes {
		classes = append(classes, c.Name)
	}
	require.ElementsMatch(t, classes, slices.Collect(maps.Keys(nilHandles)), "nilHandles must hold every class of the facts")
	fx.setup()
	var live []string // pool keys, sorted, so that argument picks are stable
	for k := range fx.pool {
		live = append(live, k)
	}
	slices.Sort(live)

	calls := 0
	for _, class := range classes {
		h := reflect.ValueOf(nilHandles[class])
		ht := h.Type()
		for i := range ht.NumMethod() {
			m := ht.Method(i)
			name := class + "." + m.Name
			args := []reflect.Value{h}
			for j := 1; j < m.Type.NumIn(); j++ {
				args = append(args, fx.nilHandleArg(t, name, m.Type.In(j), live))
			}
			var out []reflect.Value
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s on a nil handle panicked: %v", name, r)
					}
				}()
				if m.Type.IsVariadic() {
					out = m.Func.CallSlice(args)
				} else {
					out = m.Func.Call(args)
				}
			}()
			calls++
			if out == nil {
				continue // panicked
			}
			last := out[len(out)-1]
			if last.Type() != reflect.TypeFor[error]() {
				// Local accessors (Object, ID): the zero value, nothing sent.
				require.Len(t, out, 1, name)
				assert.True(t, last.IsZero(), "%s on a nil handle = %v, want the zero value", name, last)
				continue
			}
			err, _ := last.Interface().(error)
			if assert.Error(t, err, name) {
				assert.ErrorIs(t, err, client.ErrInvalidArgument, name)
				assert.Contains(t, err.Error(), "nil", "%s: the refusal must be about the nil handle", name)
			}
			for _, v := range out[:len(out)-1] {
				assert.True(t, v.IsZero(), "%s on a nil handle returned %v besides its error", name, v)
			}
		}
	}
	// Every class has at least Object, ID, Release and GetName.
	assert.Greater(t, calls, 4*len(classes))
	t.Logf("%d methods called on nil handles of %d classes", calls, len(classes))
}

// nilHandleArg returns a valid argument of type gt for call name.
func (fx *fixture) nilHandleArg(t *testing.T, name string, gt reflect.Type, live []string) reflect.Value {
	t.Helper()
	if gt == reflect.TypeFor[context.Context]() {
		return reflect.ValueOf(fx.ctx)
	}
	if gt.Implements(reflect.TypeFor[interface{ Object() *client.Object }]()) {
		for _, k := range live {
			if v := reflect.ValueOf(fx.pool[k]); v.Type().AssignableTo(gt) {
				return v
			}
		}
		t.Fatalf("%s: no live handle of type %s", name, gt)
	}
	switch gt.Kind() {
	case reflect.String:
		v := reflect.New(gt).Elem()
		if et, ok := fx.f.Type(gt.Name()); ok && et.Enum {
			v.SetString(et.Values[0])
		} else {
			v.SetString("x")
		}
		return v
	case reflect.Slice:
		if gt.Elem().Kind() == reflect.String { // Events(ctx, types...)
			return reflect.ValueOf([]string{"Error"}).Convert(gt)
		}
	default:
	}
	return reflect.Zero(gt)
}
