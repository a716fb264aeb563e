package kmdgen

// The conformance test drives every generated handle from the IDL facts
// against the fake server: each constructor, method, property accessor and
// event of each class, checking the frame the server received and the
// value that came back. It lives with the generator because it checks what
// the generator promises, and because it needs all five handle packages
// (a test of one of them may not import its siblings).

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/filter"
	"github.com/gokurento/kurento/hub"
	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
)

// constructors maps every creatable class to its typed constructor.
var constructors = map[string]any{
	"MediaPipeline":       pipeline.NewMediaPipeline,
	"PassThrough":         filter.NewPassThrough,
	"HubPort":             hub.NewHubPort,
	"AlphaBlending":       hub.NewAlphaBlending,
	"Composite":           hub.NewComposite,
	"Dispatcher":          hub.NewDispatcher,
	"DispatcherOneToMany": hub.NewDispatcherOneToMany,
	"Mixer":               hub.NewMixer,
	"HttpPostEndpoint":    endpoint.NewHttpPostEndpoint,
	"PlayerEndpoint":      endpoint.NewPlayerEndpoint,
	"RecorderEndpoint":    endpoint.NewRecorderEndpoint,
	"RtpEndpoint":         endpoint.NewRtpEndpoint,
	"WebRtcEndpoint":      endpoint.NewWebRtcEndpoint,
	"FaceOverlayFilter":   filter.NewFaceOverlayFilter,
	"GStreamerFilter":     filter.NewGStreamerFilter,
	"ImageOverlayFilter":  filter.NewImageOverlayFilter,
	"ZBarFilter":          filter.NewZBarFilter,
}

// overrides are argument values the fake (like KMS) needs to be sensible.
var overrides = map[string]any{
	"moduleName": "core",
	"interval":   int32(1), // getUsedCpu blocks for this many ms
	"uri":        "file:///tmp/conformance.webm",
	"command":    "videoflip method=horizontal-flip",
	// SDES of the last CryptoSuite (AES_256_CM_HMAC_SHA1_80) needs a
	// 46-byte master key (KMS: 40107 "Master key size is wrong").
	"key":       sdesKey,
	"keyBase64": base64.StdEncoding.EncodeToString([]byte(sdesKey)),
}

const sdesKey = "0123456789abcdef0123456789abcdef0123456789abcd"

// unstored are properties whose setter KMS 7.3 accepts without effect: the
// getter keeps answering the default (and the fake does the same).
var unstored = map[string]bool{"BaseRtpEndpoint.minVideoRecvBandwidth": true}

type fixture struct {
	t   *testing.T
	ctx context.Context
	srv *kurentotest.Server // nil on a real KMS
	// calls lists the requests the server received (the fake's call log,
	// or what a recording proxy passed to a real KMS).
	calls func() []kurentotest.Call
	c     *client.Client
	f     *idl.Facts
	pool  map[string]any // class -> a live handle of it
	// overrides are argument values by parameter name.
	overrides map[string]any
	// skip names calls ("Class.operation") the server must not get.
	skip map[string]bool
}

// realKMS, set by the integration build, returns a fixture on the real KMS
// of KURENTO_URL (or skips); nil in the normal build.
var realKMS func(t *testing.T, ctx context.Context) *fixture

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	t.Cleanup(cancel)
	if realKMS != nil {
		return realKMS(t, ctx)
	}
	srv := kurentotest.NewServer(t)
	c, err := client.Dial(ctx, srv.URL(), client.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &fixture{t: t, ctx: ctx, srv: srv, calls: srv.Calls, c: c, f: idl.Load(), pool: map[string]any{}, overrides: overrides}
}

// value builds an argument of IDL type tr for a Go parameter of type gt.
// zeroish picks false and 0, to prove they are sent.
func (fx *fixture) value(tr idl.TypeRef, name string, gt reflect.Type, zeroish bool) reflect.Value {
	fx.t.Helper()
	if v, ok := fx.overrides[name]; ok && !tr.List && !tr.Map {
		return convert(reflect.ValueOf(v), gt)
	}
	if tr.List {
		s := reflect.MakeSlice(gt, 1, 1)
		s.Index(0).Set(fx.value(tr.Elem(), name, gt.Elem(), zeroish))
		return s
	}
	if tr.Map {
		m := reflect.MakeMap(gt)
		m.SetMapIndex(reflect.ValueOf("k"), fx.value(tr.Elem(), name, gt.Elem(), zeroish))
		return m
	}
	if gt.Kind() == reflect.Pointer && fx.f.Kind(tr.Name) != idl.KindClass {
		p := reflect.New(gt.Elem())
		p.Elem().Set(fx.value(tr, name, gt.Elem(), zeroish))
		return p
	}
	switch fx.f.Kind(tr.Name) {
	case idl.KindPrimitive:
		var v any
		switch tr.Name {
		case "String":
			v = "v-" + name
		case "int":
			v = int32(7)
		case "int64":
			v = int64(1234567890123)
		case "float":
			v = float32(1.5)
		case "double":
			v = 2.25
		case "boolean":
			v = true
		}
		if zeroish {
			switch tr.Name {
			case "int", "int64", "float", "double", "boolean":
				return reflect.Zero(gt)
			}
		}
		return convert(reflect.ValueOf(v), gt)
	case idl.KindEnum:
		ct, _ := fx.f.Type(tr.Name)
		return convert(reflect.ValueOf(ct.Values[len(ct.Values)-1]), gt)
	case idl.KindStruct:
		s := reflect.New(gt).Elem()
		for _, p := range fx.f.TypeFields(tr.Name) {
			fld := s.FieldByName(exported(p.Name))
			require.True(fx.t, fld.IsValid(), "%s.%s", tr.Name, p.Name)
			if fx.f.Kind(p.Type.Name) == idl.KindClass {
				fld.Set(fx.value(idl.TypeRef{Name: "String", List: p.Type.List}, p.Name, fld.Type(), false))
				continue
			}
			fld.Set(fx.value(p.Type, p.Name, fld.Type(), zeroish))
		}
		return s
	case idl.KindClass:
		return fx.handleFor(tr.Name, gt)
	default:
		fx.t.Fatalf("unknown type %s", tr)
		return reflect.Value{}
	}
}

func convert(v reflect.Value, gt reflect.Type) reflect.Value {
	if gt.Kind() == reflect.Pointer {
		p := reflect.New(gt.Elem())
		p.Elem().Set(v.Convert(gt.Elem()))
		return p
	}
	return v.Convert(gt)
}

// handleFor picks a live handle of class base (or a subclass) that fits gt,
// preferring the class itself.
func (fx *fixture) handleFor(base string, gt reflect.Type) reflect.Value {
	fx.t.Helper()
	if h, ok := fx.pool[base]; ok && reflect.TypeOf(h).AssignableTo(gt) {
		return reflect.ValueOf(h)
	}
	for _, c := range fx.f.Classes {
		if h, ok := fx.pool[c.Name]; ok && fx.f.IsA(c.Name, base) && reflect.TypeOf(h).AssignableTo(gt) {
			return reflect.ValueOf(h)
		}
	}
	fx.t.Fatalf("no handle for %s as %s", base, gt)
	return reflect.Value{}
}

// wire is what v looks like as a JSON value: handles are their ids.
func wire(t *testing.T, v reflect.Value) json.RawMessage {
	t.Helper()
	if h, ok := v.Interface().(interface{ ID() string }); ok {
		b, err := json.Marshal(h.ID())
		require.NoError(t, err)
		return b
	}
	b, err := json.Marshal(v.Interface())
	require.NoError(t, err)
	return b
}

// build returns the arguments of fn after ctx (and a creator), with the
// expected wire params. opts is nil, or filled (zeroish or not).
func (fx *fixture) build(fn reflect.Type, skip int, params []idl.Param, fill, zeroish bool) ([]reflect.Value, map[string]json.RawMessage) {
	fx.t.Helper()
	want := map[string]json.RawMessage{}
	var args []reflect.Value
	i := skip
	for _, p := range params {
		if p.Optional {
			continue
		}
		v := fx.value(p.Type, p.Name, fn.In(i), false)
		args = append(args, v)
		want[p.Name] = wire(fx.t, v)
		i++
	}
	if i < fn.NumIn() { // the options struct
		ot := fn.In(i)
		if !fill {
			args = append(args, reflect.Zero(ot))
		} else {
			o := reflect.New(ot.Elem())
			for _, p := range params {
				if !p.Optional {
					continue
				}
				fld := o.Elem().FieldByName(exported(p.Name))
				require.True(fx.t, fld.IsValid(), "options field %s", p.Name)
				v := fx.value(p.Type, p.Name, fld.Type(), zeroish)
				fld.Set(v)
				want[p.Name] = wire(fx.t, v)
			}
			args = append(args, o)
		}
	}
	require.Equal(fx.t, fn.NumIn(), len(args)+skip, "arity of %s", fn)
	return args, want
}

// lastCall returns the params of the most recent call of method (and
// operation, for invokes).
func (fx *fixture) lastCall(method, operation string) map[string]json.RawMessage {
	fx.t.Helper()
	calls := fx.calls()
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		if c.Method == method && (operation == "" || c.Operation == operation) {
			var m map[string]json.RawMessage
			require.NoError(fx.t, json.Unmarshal(c.Params, &m))
			return m
		}
	}
	fx.t.Fatalf("no %s %s call", method, operation)
	return nil
}

// checkParams compares the payload member of params with want.
func checkParams(t *testing.T, params map[string]json.RawMessage, member string, want map[string]json.RawMessage, what string) {
	t.Helper()
	got, ok := params[member]
	if len(want) == 0 {
		if ok {
			assert.JSONEq(t, `{}`, string(got), what)
		}
		return
	}
	require.True(t, ok, "%s: no %s", what, member)
	w, err := json.Marshal(want)
	require.NoError(t, err)
	assert.JSONEq(t, string(w), string(got), what)
}

// serverRefusal accepts an error only if it came from the server: the call
// reached the wire, which is what these tests check.
func serverRefusal(t *testing.T, err error, what string) bool {
	t.Helper()
	if err == nil {
		return false
	}
	var se *client.Error
	require.ErrorAs(t, err, &se, "%s: local error", what)
	t.Logf("%s: refused by the server: %v", what, err)
	return true
}

// create calls the typed constructor of class and checks the create frame.
func (fx *fixture) create(class string, fill, zeroish bool) any {
	fx.t.Helper()
	cl, _ := fx.f.Class(class)
	fn := reflect.ValueOf(constructors[class])
	require.True(fx.t, fn.IsValid(), "no constructor for %s", class)
	ft := fn.Type()
	args := []reflect.Value{reflect.ValueOf(fx.ctx)}
	skip := 1
	if ft.In(1) == reflect.TypeFor[client.Creator]() {
		args = append(args, reflect.ValueOf(fx.c))
		skip = 2
	}
	// Constructor arguments may be overridden per class ("Class.param").
	saved := fx.overrides
	fx.overrides = map[string]any{}
	for k, v := range saved {
		if cls, param, ok := strings.Cut(k, "."); ok {
			if cls == class {
				fx.overrides[param] = v
			}
			continue
		}
		if _, set := fx.overrides[k]; !set {
			fx.overrides[k] = v
		}
	}
	rest, want := fx.build(ft, skip, cl.Constructor.Params, fill, zeroish)
	fx.overrides = saved
	out := fn.Call(append(args, rest...))
	err, _ := out[1].Interface().(error)
	require.NoError(fx.t, err, "create %s", class)
	params := fx.lastCall("create", "")
	assert.JSONEq(fx.t, `"`+class+`"`, string(params["type"]))
	checkParams(fx.t, params, "constructorParams", want, "create "+class)
	return out[0].Interface()
}

// representative returns a live handle for class: itself, or the first
// pooled subclass.
func (fx *fixture) representative(class string) any {
	if h, ok := fx.pool[class]; ok {
		return h
	}
	for _, c := range fx.f.Classes {
		if h, ok := fx.pool[c.Name]; ok && fx.f.IsA(c.Name, class) {
			return h
		}
	}
	return nil
}

func (fx *fixture) setup() {
	fx.t.Helper()
	fx.pool["MediaPipeline"] = fx.create("MediaPipeline", false, false)
	fx.pool["Composite"] = fx.create("Composite", false, false)
	fx.pool["PassThrough"] = fx.create("PassThrough", false, false)
	for _, c := range fx.f.Classes {
		if c.Abstract || c.Constructor == nil {
			continue
		}
		if _, ok := fx.pool[c.Name]; !ok {
			fx.pool[c.Name] = fx.create(c.Name, false, false)
		}
	}
	fx.pool["ServerManager"] = pipeline.ServerManagerOf(fx.c)
	if fx.srv == nil {
		// On a real KMS a HubPort of a Composite (the first MediaElement
		// in the facts) connected to itself on VIDEO kills the server:
		// MediaElement's methods run on a PassThrough there.
		fx.pool["MediaElement"] = fx.pool["PassThrough"]
	}
}

func TestConformanceConstructors(t *testing.T) {
	fx := newFixture(t)
	fx.setup()
	n := 0
	for _, c := range fx.f.Classes {
		if c.Abstract || c.Constructor == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			// The pool holds the nil-options create; now with every option set,
			// once with false and 0.
			fx := *fx
			fx.t = t
			fx.create(c.Name, true, false)
			if hasOptional(c.Constructor.Params) {
				fx.create(c.Name, true, true)
			}
			n++
		})
	}
	assert.Len(t, constructors, n, "every creatable class has a constructor entry")
	t.Logf("constructors: %d classes", n)
}

func TestConformanceMethodsAndProperties(t *testing.T) {
	fx := newFixture(t)
	fx.setup()
	var methods, getters, setters, refused int
	for _, c := range fx.f.Classes {
		h := fx.representative(c.Name)
		if h == nil {
			// OpenCVFilter: abstract, and no class of these modules extends
			// it; it declares nothing of its own to call.
			require.Empty(t, c.Methods, c.Name)
			require.Empty(t, c.Properties, c.Name)
			continue
		}
		hv := reflect.ValueOf(h)
		id := h.(interface{ ID() string }).ID()
		invoke := func(t *testing.T, goName, op string, params []idl.Param, fill bool) ([]reflect.Value, bool) {
			t.Helper()
			m := hv.MethodByName(goName)
			require.True(t, m.IsValid(), "%s has no %s", c.Name, goName)
			args, want := fx.build(m.Type(), 1, params, fill, false)
			out := m.Call(append([]reflect.Value{reflect.ValueOf(fx.ctx)}, args...))
			err, _ := out[len(out)-1].Interface().(error)
			ok := !serverRefusal(t, err, c.Name+"."+goName)
			p := fx.lastCall("invoke", op)
			assert.JSONEq(t, `"`+id+`"`, string(p["object"]))
			checkParams(t, p, "operationParams", want, c.Name+"."+op)
			return out, ok
		}
		for _, p := range c.Properties {
			t.Run(c.Name+"/"+p.Name, func(t *testing.T) {
				if fx.skip[c.Name+".get"+exported(p.Name)] {
					t.Skip("kills the server, see the kurentotest package documentation")
				}
				fx := *fx
				fx.t = t
				var set reflect.Value
				if p.Writable() {
					m := hv.MethodByName("Set" + exported(p.Name))
					require.True(t, m.IsValid())
					set = fx.value(p.Type, p.Name, m.Type().In(1), false)
					out := m.Call([]reflect.Value{reflect.ValueOf(fx.ctx), set})
					err, _ := out[0].Interface().(error)
					checkParams(t, fx.lastCall("invoke", "set"+exported(p.Name)), "operationParams",
						map[string]json.RawMessage{p.Name: wire(t, set)}, "set "+p.Name)
					setters++
					if serverRefusal(t, err, c.Name+".set"+exported(p.Name)) {
						// e.g. setPosition of a player that is not playing:
						// nothing to compare the getter with.
						refused++
						set = reflect.Value{}
					}
				} else {
					assert.False(t, hv.MethodByName("Set"+exported(p.Name)).IsValid(), "read-only %s has a setter", p.Name)
				}
				out, ok := invoke(t, "Get"+exported(p.Name), "get"+exported(p.Name), nil, false)
				getters++
				if !ok {
					refused++
					return
				}
				if set.IsValid() && !unstored[c.Name+"."+p.Name] {
					assert.Equal(t, set.Interface(), out[0].Interface(), "get after set %s", p.Name)
				}
			})
		}
		for _, m := range c.Methods {
			t.Run(c.Name+"/"+m.Name, func(t *testing.T) {
				if fx.skip[c.Name+"."+m.Name] {
					t.Skip("kills the server, see the kurentotest package documentation")
				}
				fx := *fx
				fx.t = t
				if _, ok := invoke(t, exported(m.Name), m.Name, m.Params, false); !ok {
					refused++
				}
				if hasOptional(m.Params) {
					invoke(t, exported(m.Name), m.Name, m.Params, true)
				}
				methods++
			})
		}
	}
	t.Logf("methods: %d, getters: %d, setters: %d (server refused %d calls, frames still checked)", methods, getters, setters, refused)
}

func TestConformanceEvents(t *testing.T) {
	fx := newFixture(t)
	fx.setup()
	n := 0
	var classes []string
	for name := range fx.pool {
		classes = append(classes, name)
	}
	slices.Sort(classes)
	for _, class := range classes {
		h := fx.pool[class]
		hv := reflect.ValueOf(h)
		id := h.(interface{ ID() string }).ID()
		for _, e := range fx.f.ClassEvents(class) {
			t.Run(class+"/"+e, func(t *testing.T) {
				ctx, cancel := context.WithCancel(fx.ctx)
				defer cancel()
				m := hv.MethodByName(eventMethod(e))
				require.True(t, m.IsValid(), "%s has no %s", class, eventMethod(e))
				out := m.Call([]reflect.Value{reflect.ValueOf(ctx)})
				require.Nil(t, out[1].Interface())
				ch := out[0]
				if fx.srv == nil {
					// A real KMS accepted the subscription; the events it
					// really sends are checked by TestConformanceRealEvents.
					n++
					return
				}
				require.NoError(t, fx.srv.Emit(id, e, nil))
				timer := time.NewTimer(10 * time.Second)
				defer timer.Stop()
				chosen, v, ok := reflect.Select([]reflect.SelectCase{
					{Dir: reflect.SelectRecv, Chan: ch},
					{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(timer.C)},
				})
				require.Equal(t, 0, chosen, "timed out waiting for %s", e)
				require.True(t, ok)
				base := v.FieldByName("Base").Interface().(event.Base)
				assert.Equal(t, id, base.Source)
				assert.Equal(t, e, base.Raw.Type)
				assert.Equal(t, e, v.Interface().(interface{ EventName() string }).EventName())
				cancel()
				for {
					if _, ok := ch.Recv(); !ok {
						break
					}
				}
				n++
			})
		}
	}
	t.Logf("events: %d (class, event) pairs", n)
}

func TestConformanceLookup(t *testing.T) {
	fx := newFixture(t)
	fx.setup()
	// Each handle package describes its classes in a Module value; a typed
	// lookup checks the class with describe.
	factories := map[string]client.Factory{}
	for _, m := range []client.Module{element.Module(), pipeline.Module(), endpoint.Module(), hub.Module(), filter.Module()} {
		for class, f := range m.Types {
			_, dup := factories[class]
			require.False(t, dup, class)
			factories[class] = f
		}
	}
	for class, h := range fx.pool {
		id := h.(interface{ ID() string }).ID()
		o, err := client.LookupClass(fx.ctx, fx.c, id, class)
		require.NoError(t, err, class)
		// The handle of the class the server describes: a pool entry of an
		// abstract class may be an object of a concrete one.
		require.Contains(t, factories, o.Type())
		assert.IsType(t, h, factories[o.Type()](o), class)
		_, err = client.LookupClass(fx.ctx, fx.c, id, "NoSuchClass")
		require.ErrorIs(t, err, client.ErrWrongClass, class)
	}
}
