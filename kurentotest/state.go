package kurentotest

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gokurento/kurento/internal/kms"
)

// This file holds what a KMS restart forgets: sessions and their socket
// bindings, objects with their ownership and per-behaviour state,
// subscriptions, links, and the events sent to subscribers.

// ServerManagerID is the fixed id of the ServerManager object,
// "manager_ServerManager".
const ServerManagerID = kms.ServerManagerID

// state is everything a KMS restart forgets. Guarded by Server.mu.
type state struct {
	s        *Server
	serverID string

	sessions  map[string]*session
	bySession map[string]*conn
	objects   map[string]*object
	order     []string // object ids in creation order
	subs      map[subKey]*handler
	subByID   map[string]subKey
	links     []*link
	cache     map[cacheKey]cacheEntry
	// cacheSweepAt is the size of the cache that triggers the next sweep
	// of expired replies (cache.go).
	cacheSweepAt int
	// flows is the media flow state (see flow.go).
	flows map[flowKey]bool
	// cert is the DTLS certificate (cert.go).
	cert *dtlsCert
}

func newState(s *Server) *state {
	st := &state{
		s:         s,
		serverID:  newUUID(),
		sessions:  make(map[string]*session),
		bySession: make(map[string]*conn),
		objects:   make(map[string]*object),
		subs:      make(map[subKey]*handler),
		subByID:   make(map[string]subKey),
		cache:     make(map[cacheKey]cacheEntry),

		cacheSweepAt: cacheSweepFloor,
		flows:        make(map[flowKey]bool),
	}
	sm := &object{
		id:      ServerManagerID,
		typ:     "ServerManager",
		owners:  make(map[string]bool),
		props:   make(map[string]any),
		created: time.Now(),
	}
	st.objects[sm.id] = sm
	st.order = append(st.order, sm.id)
	return st
}

// session is a registered KMS session (MediaSet entry).
type session struct {
	id      string
	objects map[string]bool
	inUse   bool
}

type subKey struct{ session, object, event string }

// handler is the single event handler KMS keeps per (session, object,
// event type); ids are the subscription ids attached to it.
type handler struct {
	ids []string
}

// object is a media object.
type object struct {
	id, typ, parent string
	children        []string
	owners          map[string]bool
	props           map[string]any
	tags            []tag
	created         time.Time

	// The state of the behaviours that keep some per object, each
	// declared in the behaviour's file; nil until the behaviour first
	// needs it (see the accessors sdpOf, iceOf...).
	sdp      *sdpState      // SdpEndpoint negotiation (sdp.go)
	ice      *iceState      // WebRtcEndpoint ICE (ice.go)
	player   *playerState   // PlayerEndpoint timing (player.go)
	recorder *recorderState // RecorderEndpoint waiting for media (recorder.go)
	hub      *hubState      // hub port connections (hub.go)
	session  *mediaSession  // SdpEndpoint media session (flow.go)
}

type tag struct{ key, value string }

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ---- sessions and binding ----

// bind binds socket c to session id, dropping older bindings on both sides.
func (st *state) bind(c *conn, id string) {
	if c == nil || id == "" {
		return
	}
	if old, ok := st.bySession[id]; ok && old != c {
		old.session = ""
	}
	if c.session != "" && c.session != id {
		delete(st.bySession, c.session)
	}
	c.session = id
	st.bySession[id] = c
	if ss, ok := st.sessions[id]; ok {
		ss.inUse = true
	}
}

func (st *state) unbindConn(c *conn) {
	if c.session != "" && st.bySession[c.session] == c {
		delete(st.bySession, c.session)
	}
	c.session = ""
}

// register returns the session, creating it (KMS registers a session the
// first time it references an object).
func (st *state) register(id string) *session {
	ss, ok := st.sessions[id]
	if !ok {
		ss = &session{id: id, objects: make(map[string]bool)}
		st.sessions[id] = ss
	}
	ss.inUse = true
	return ss
}

// ref makes session sid an owner of obj and all its ancestors.
func (st *state) ref(sid string, obj *object) {
	ss := st.register(sid)
	for o := obj; o != nil; o = st.objects[o.parent] {
		if o.id == ServerManagerID {
			break
		}
		o.owners[sid] = true
		ss.objects[o.id] = true
		if o.parent == "" {
			break
		}
	}
}

// lookup finds an object for a session and references it (KMS adds the
// session as co-owner of every object it looks up).
func (st *state) lookup(sid, id string) (*object, *rpcError) {
	o, err := st.find(id)
	if err != nil {
		return nil, err
	}
	if sid != "" {
		if o.id == ServerManagerID {
			st.register(sid)
		} else {
			st.ref(sid, o)
		}
	}
	return o, nil
}

func (st *state) find(id string) (*object, *rpcError) {
	if kms.IsNewRef(id) {
		return nil, kmsError(kms.CodeNotFoundTransactionNoCommit, kms.MsgNotFoundNoCommit(id))
	}
	o, ok := st.objects[id]
	if !ok {
		return nil, kmsError(kms.CodeObjectNotFound, kms.MsgObjectNotFound(id))
	}
	return o, nil
}

// unrefSession drops a session with unref semantics.
func (st *state) unrefSession(sid string) {
	ss, ok := st.sessions[sid]
	if !ok {
		return
	}
	st.dropSubscriptions(func(k subKey) bool { return k.session == sid })
	for _, id := range st.sortedSessionObjects(ss) {
		st.unref(sid, id)
	}
	delete(st.sessions, sid)
}

// releaseSession drops a session with release semantics.
func (st *state) releaseSession(sid string) {
	ss, ok := st.sessions[sid]
	if !ok {
		return
	}
	st.dropSubscriptions(func(k subKey) bool { return k.session == sid })
	for _, id := range st.sortedSessionObjects(ss) {
		st.release(id)
	}
	delete(st.sessions, sid)
}

// sortedSessionObjects lists a session's objects parents first.
func (st *state) sortedSessionObjects(ss *session) []string {
	var ids []string
	for _, id := range st.order {
		if ss.objects[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// unref removes sid from the owners of id and its children, releasing
// whatever is left without owner.
func (st *state) unref(sid, id string) {
	o, ok := st.objects[id]
	if !ok || id == ServerManagerID {
		return
	}
	for _, ch := range slices.Clone(o.children) {
		st.unref(sid, ch)
	}
	if _, ok := st.objects[id]; !ok {
		return
	}
	delete(o.owners, sid)
	if ss, ok := st.sessions[sid]; ok {
		delete(ss.objects, id)
	}
	if len(o.owners) == 0 {
		st.release(id)
	}
}

// release destroys an object and its children; unknown ids are ignored.
func (st *state) release(id string) {
	o, ok := st.objects[id]
	if !ok || id == ServerManagerID {
		return
	}
	for _, ch := range slices.Clone(o.children) {
		st.release(ch)
	}
	// The object's own handlers go first, so its subscribers see nothing
	// of its teardown.
	st.dropSubscriptions(func(k subKey) bool { return k.object == id })
	st.disconnectAll(id)
	if p, ok := st.objects[o.parent]; ok {
		p.children = slices.DeleteFunc(p.children, func(c string) bool { return c == id })
	}
	for sid := range o.owners {
		if ss, ok := st.sessions[sid]; ok {
			delete(ss.objects, id)
		}
	}
	delete(st.objects, id)
	st.order = slices.DeleteFunc(st.order, func(c string) bool { return c == id })
	st.emit(ServerManagerID, "ObjectDestroyed", map[string]any{"objectId": id})
}

func (st *state) dropSubscriptions(match func(subKey) bool) {
	for k, h := range st.subs {
		if match(k) {
			for _, id := range h.ids {
				delete(st.subByID, id)
			}
			delete(st.subs, k)
		}
	}
}

// gc runs one garbage collector pass.
func (st *state) gc() {
	for id, ss := range st.sessions {
		if _, bound := st.bySession[id]; bound {
			ss.inUse = true
		}
	}
	var drop []string
	for id, ss := range st.sessions {
		if ss.inUse {
			ss.inUse = false
			continue
		}
		drop = append(drop, id)
	}
	slices.Sort(drop)
	for _, id := range drop {
		st.s.log.Debug("kurentotest: session expired", "session", id)
		st.unrefSession(id)
	}
}

func (s *Server) gcLoop() {
	t := time.NewTicker(s.opts.gcPeriod)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.mu.Lock()
			s.st.gc()
			s.mu.Unlock()
		}
	}
}

// ---- events ----

// emit sends an event of object id to every subscribed session's bound
// socket. data holds the event-specific fields; the common ones are added.
func (st *state) emit(id, event string, data map[string]any) {
	o, ok := st.objects[id]
	if !ok {
		return
	}
	var targets []*conn
	for k := range st.subs {
		if k.object == id && k.event == event {
			if c, ok := st.bySession[k.session]; ok {
				targets = append(targets, c)
			}
		}
	}
	if len(targets) == 0 {
		return
	}
	frame := kms.AppendOnEvent(nil, id, event, encode(st.eventData(o, event, data)))
	for _, c := range targets {
		c.send(frame)
	}
}

// eventData completes an event's data the way KMS serialises it: every
// field of the event and its ancestors, common fields filled.
func (st *state) eventData(o *object, event string, data map[string]any) map[string]any {
	d := make(map[string]any, len(data)+4)
	for k, v := range data {
		d[k] = v
	}
	for _, f := range st.s.cat.f.EventFields(event) {
		if _, ok := d[f.Name]; ok {
			continue
		}
		switch f.Name {
		case "source":
			d["source"] = o.id
		case "timestampMillis":
			d["timestampMillis"] = strconv.FormatInt(time.Now().UnixMilli(), 10)
		case "tags":
			d["tags"] = st.eventTags(o)
		case "type":
			d["type"] = event
		default:
			d[f.Name] = st.s.cat.zero(f.Type)
		}
	}
	return d
}

func (st *state) eventTags(o *object) []any {
	out := []any{}
	if b, _ := o.props["sendTagsInEvents"].(bool); b {
		for _, t := range o.tags {
			out = append(out, tagValue(t))
		}
	}
	return out
}
