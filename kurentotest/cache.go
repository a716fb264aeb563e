package kurentotest

import (
	"encoding/json"
	"time"
)

// This file holds KMS's reply cache: the reply to a request is kept for
// the cache's lifetime ([WithReplyCacheTTL], KMS's 20 s by default) under
// its session and request id, and a repeat of the request within it gets
// the same reply without running again.

type cacheKey struct{ session, id string }

type cacheEntry struct {
	frame   []byte
	bind    string
	expires time.Time
}

// cachedReply finds the reply already sent to the same request.
func (s *Server) cachedReply(req *request) (cacheEntry, bool) {
	if req.notification {
		return cacheEntry{}, false
	}
	return s.st.cacheGet(req.sid, req.idText)
}

// cacheReply keeps a reply for repeats of the request, under the session
// it binds to, else the request's.
func (s *Server) cacheReply(req *request, frame []byte, bind string) {
	if req.notification {
		return
	}
	key := bind
	if key == "" {
		key = req.sid
	}
	s.st.cachePut(key, req.idText, frame, bind)
}

func (st *state) cacheGet(sid, id string) (cacheEntry, bool) {
	if st.s.opts.cacheTTL <= 0 || sid == "" {
		return cacheEntry{}, false
	}
	k := cacheKey{sid, id}
	e, ok := st.cache[k]
	if !ok {
		return cacheEntry{}, false
	}
	if !time.Now().Before(e.expires) {
		delete(st.cache, k)
		return cacheEntry{}, false
	}
	return e, true
}

func (st *state) cachePut(sid, id string, frame []byte, bind string) {
	if st.s.opts.cacheTTL <= 0 || sid == "" {
		return
	}
	now := time.Now()
	if len(st.cache) > st.cacheSweepAt {
		// Expired entries go in one sweep once the cache has doubled
		// since the last one: amortised O(1) per reply, even when more
		// than the floor's worth of replies are live.
		for k, e := range st.cache {
			if !now.Before(e.expires) {
				delete(st.cache, k)
			}
		}
		st.cacheSweepAt = max(cacheSweepFloor, 2*len(st.cache))
	}
	st.cache[cacheKey{sid, id}] = cacheEntry{frame: frame, bind: bind, expires: now.Add(st.s.opts.cacheTTL)}
}

// cacheSweepFloor is the size below which the cache is never swept.
const cacheSweepFloor = 1024

// cacheIDText is the request id as KMS's cache sees it: 1 and "1" are equal.
func cacheIDText(idv any) string {
	switch x := idv.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	return string(encode(idv))
}
