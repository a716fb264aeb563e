package kurentotest

// This file holds the behaviour table of a server: what the fake does on
// top of storing and returning property values.
//
// How to add a behaviour (for maintainers). A behaviour is one feature of
// KMS the fake imitates, for example the recorder or ICE gathering, and
// lives in one file of its own holding everything of it: its operations,
// the per-object state it keeps, its property defaults, its reactions to
// media and its part of the media engine binding. To add one:
//
//  1. Write a function returning a behaviour value (recorderBehaviour in
//     recorder.go is a small complete example): the operations it
//     implements, each on the class that declares it (it applies to the
//     derived classes too, the most derived implementation winning), and
//     the hooks it needs: constructor checks, property defaults, media
//     arrival, and with real media the element's engine node, extra
//     engine routes and an endpoint's transport.
//  2. If it keeps state per object, declare a type for it in its file and
//     a field of that type in object (state.go), with an accessor that
//     creates it on first use (recorderOf). What a KMS restart forgets
//     besides objects (sessions, links, flows) lives in state.
//  3. Add the function to allBehaviours below. Start builds each server's
//     table from that list; two behaviours implementing the same
//     operation of the same class make every server panic at start, so
//     any test run reports the clash.
//  4. If the media engine reports events for it, add the event types to
//     the switch of Server.mediaEvent (media.go), calling a handler in
//     the behaviour's file.
//
// An operation is an opFunc: it sees the invocation (object, parameters
// checked against the IDL with their defaults applied, session, call
// context) and returns the result's value or an error made with kmsError
// from a code and message of internal/kms. Events go out with state.emit
// (before the reply); events that must follow the reply are queued on
// callCtx.after. Nothing here is package-level state: every server builds
// its own table, and servers never share anything.

import (
	"fmt"

	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// behaviour is one feature of the fake: the operations it implements and
// the hooks through which it reacts to the rest of the server.
type behaviour struct {
	name string
	// ops are the invoke operations it implements.
	ops []classOp
	// createChecks refuse constructor parameters a class cannot take,
	// after the generic IDL checks.
	createChecks []createCheck
	// mediaIn run when media starts arriving at an element.
	mediaIn []mediaHook
	// defaults are the values new objects report for properties before
	// they are set, as a real KMS 7.3 does (real-kms/README.md); the
	// others start at the zero value of their type.
	defaults []propertyDefault
	// engineNodes say which node of the media engine ([WithMedia])
	// carries the media of an element; routes add the routes the engine
	// needs beyond the element connections.
	engineNodes []engineNode
	routes      []routeHook
	// transports give negotiated endpoints of a class a real transport.
	transports []transport
}

// transport is the real media transport of SdpEndpoints of a class. Each
// function gets the SDP the fake wrote and returns it as the transport
// needs it (its SSRCs, its sockets' ports).
type transport struct {
	class string
	// answer: the endpoint answered offer with answer.
	answer func(st *state, o *object, offer, answer string) string
	// offer: the endpoint generated offer.
	offer func(st *state, o *object, offer string) string
	// answered: the peer answered the endpoint's offer local.
	answered func(st *state, o *object, local, answer string)
}

// engineNode adds the engine node of an element of a class (nil: the
// element gets its node elsewhere, or none).
type engineNode struct {
	class string
	add   func(eng *media.Engine, id string)
}

// routeHook lists the engine routes of an object of a class.
type routeHook struct {
	class string
	fn    func(st *state, o *object) []media.Route
}

// propertyDefault is the initial value of a property on the objects of a
// class and its descendants. Values are immutable JSON values (string,
// bool, json.Number).
type propertyDefault struct {
	class, prop string
	value       any
}

// classOp is an operation implemented for a class and its descendants.
type classOp struct {
	class, op string
	fn        opFunc
}

// opFunc implements an operation; it returns the value of the result.
type opFunc func(x *invocation) (any, *rpcError)

// createCheck checks the constructor parameters of a class (checked and
// converted, defaults applied).
type createCheck struct {
	class string
	fn    func(vals map[string]any) *rpcError
}

// mediaHook lets elements of a class react to something happening to them.
type mediaHook struct {
	class string
	fn    func(st *state, o *object)
}

// allBehaviours lists the behaviours of every server, in no particular
// order.
func allBehaviours() []behaviour {
	return []behaviour{
		mediaObjectBehaviour(),
		elementBehaviour(),
		flowBehaviour(),
		dotBehaviour(),
		sdpBehaviour(),
		iceBehaviour(),
		rtpEndpointBehaviour(),
		playerBehaviour(),
		recorderBehaviour(),
		hubBehaviour(),
		serverManagerBehaviour(),
	}
}

// memberKey names an operation or property of a class.
type memberKey struct{ class, name string }

// behaviours is the behaviour table of one server. It is built once, in
// Start, and only read afterwards.
type behaviours struct {
	cat          *catalog
	ops          map[memberKey]opFunc
	createChecks map[string][]func(map[string]any) *rpcError
	mediaIn      map[string][]func(*state, *object)
	defaults     map[string][]propertyDefault // by property name
	engineNodes  map[string]func(*media.Engine, string)
	routes       map[string][]func(*state, *object) []media.Route
	transports   map[string]transport
}

// newBehaviours builds the table of list. It panics when two behaviours
// implement the same operation of the same class.
func newBehaviours(cat *catalog, list []behaviour) *behaviours {
	t := &behaviours{
		cat:          cat,
		ops:          make(map[memberKey]opFunc),
		createChecks: make(map[string][]func(map[string]any) *rpcError),
		mediaIn:      make(map[string][]func(*state, *object)),
		defaults:     make(map[string][]propertyDefault),
		engineNodes:  make(map[string]func(*media.Engine, string)),
		routes:       make(map[string][]func(*state, *object) []media.Route),
		transports:   make(map[string]transport),
	}
	owner := make(map[memberKey]string)
	for _, b := range list {
		for _, o := range b.ops {
			k := memberKey{o.class, o.op}
			if prev, dup := owner[k]; dup {
				panic(fmt.Sprintf("kurentotest: behaviours %s and %s both implement %s.%s", prev, b.name, o.class, o.op))
			}
			owner[k] = b.name
			t.ops[k] = o.fn
		}
		for _, c := range b.createChecks {
			t.createChecks[c.class] = append(t.createChecks[c.class], c.fn)
		}
		for _, h := range b.mediaIn {
			t.mediaIn[h.class] = append(t.mediaIn[h.class], h.fn)
		}
		for _, d := range b.defaults {
			t.defaults[d.prop] = append(t.defaults[d.prop], d)
		}
		for _, n := range b.engineNodes {
			t.engineNodes[n.class] = n.add
		}
		for _, r := range b.routes {
			t.routes[r.class] = append(t.routes[r.class], r.fn)
		}
		for _, tr := range b.transports {
			t.transports[tr.class] = tr
		}
	}
	return t
}

// op finds the implementation of operation op for class, from the class
// up its hierarchy.
func (t *behaviours) op(class, op string) (opFunc, bool) {
	for c := range t.cat.lineage(class) {
		if fn, ok := t.ops[memberKey{c, op}]; ok {
			return fn, true
		}
	}
	return nil, false
}

// checkCreate runs the constructor checks of class and its ancestors.
func (t *behaviours) checkCreate(class string, vals map[string]any) *rpcError {
	for c := range t.cat.lineage(class) {
		for _, fn := range t.createChecks[c] {
			if err := fn(vals); err != nil {
				return err
			}
		}
	}
	return nil
}

// propertyDefault is the initial value of property prop of a new object
// of class, if a behaviour gives one.
func (t *behaviours) propertyDefault(class, prop string) (any, bool) {
	ds := t.defaults[prop]
	if len(ds) == 0 {
		return nil, false
	}
	for c := range t.cat.lineage(class) {
		for _, d := range ds {
			if d.class == c {
				return d.value, true
			}
		}
	}
	return nil, false
}

// engineNode adds the engine node of o, as the behaviour of its most
// derived class that says how.
func (t *behaviours) engineNode(eng *media.Engine, o *object) {
	for c := range t.cat.lineage(o.typ) {
		if add, ok := t.engineNodes[c]; ok {
			if add != nil {
				add(eng, o.id)
			}
			return
		}
	}
}

// engineRoutes are the engine routes the behaviours give o.
func (t *behaviours) engineRoutes(st *state, o *object) []media.Route {
	var out []media.Route
	for c := range t.cat.lineage(o.typ) {
		for _, fn := range t.routes[c] {
			out = append(out, fn(st, o)...)
		}
	}
	return out
}

// transport is the transport of class, from the class up its hierarchy.
func (t *behaviours) transport(class string) (transport, bool) {
	for c := range t.cat.lineage(class) {
		if tr, ok := t.transports[c]; ok {
			return tr, true
		}
	}
	return transport{}, false
}

// arrived runs the media arrival hooks of o's class and its ancestors.
func (t *behaviours) arrived(st *state, o *object) {
	for c := range t.cat.lineage(o.typ) {
		for _, fn := range t.mediaIn[c] {
			fn(st, o)
		}
	}
}

// opsOf lists the operations of one class, by name.
func opsOf(class string, byName map[string]opFunc) []classOp {
	out := make([]classOp, 0, len(byName))
	for op, fn := range byName {
		out = append(out, classOp{class: class, op: op, fn: fn})
	}
	return out
}
