package pool

import "time"

// Load is what a server reported through its ServerManager, plus what this
// pool placed on it that does not show yet.
type Load struct {
	// Pipelines is the number of MediaPipelines on the server, of every
	// client, not only this pool's: listed once per session and then
	// followed through the ServerManager's ObjectCreated and ObjectDestroyed
	// events. Keys this pool placed there count as one pipeline each until
	// a new pipeline shows up or a refresh interval passed, so a burst of
	// placements spreads out.
	Pipelines int
	// CPU is the server's CPU use in percent (0-100) over the measuring
	// window, as KMS computes it for getUsedCpu.
	CPU float64
	// Memory is the server's used memory in KiB (getUsedMemory).
	Memory int64
	// At is when CPU and memory were read; zero before the first read.
	At time.Time
}

// Candidate is a server offered to a Policy for a new key.
type Candidate struct {
	URL      string
	ServerID string
	Weight   float64 // from the Target; at least a tiny positive value
	Load     Load
	Keys     int // live keys this pool placed on the server
}

// Policy chooses where a new key goes: the eligible server with the lowest
// score wins (ties go to the server with fewer keys, then the lower URL).
// A Policy runs under the pool's lock on the caller of Pool.Place: it must
// be fast and must not call the Pool.
type Policy interface {
	// Score returns the cost of placing one more key on c, or ok false when
	// c must not take it (a cap reached).
	Score(c Candidate) (score float64, ok bool)
}

// PolicyFunc adapts an application's function to a Policy.
type PolicyFunc func(c Candidate) (score float64, ok bool)

// Score calls f.
func (f PolicyFunc) Score(c Candidate) (float64, bool) { return f(c) }

// LeastLoaded scores a server by a weighted sum of its load divided by its
// weight, and refuses servers past the caps. The zero value counts
// pipelines only and has no caps; it is the pool's default policy.
type LeastLoaded struct {
	// Weights of each measure in the score. All zero means Pipelines 1.
	Pipelines float64 // per pipeline
	CPU       float64 // per percent of CPU
	Memory    float64 // per MiB of used memory
	// Caps; 0 means none.
	MaxPipelines int     // a server with this many pipelines takes no new key
	MaxCPU       float64 // a server at or above this CPU percent takes no new key
}

// Score implements Policy.
func (l LeastLoaded) Score(c Candidate) (float64, bool) {
	if l.MaxPipelines > 0 && c.Load.Pipelines >= l.MaxPipelines {
		return 0, false
	}
	if l.MaxCPU > 0 && c.Load.CPU >= l.MaxCPU {
		return 0, false
	}
	wp, wc, wm := l.Pipelines, l.CPU, l.Memory
	if wp == 0 && wc == 0 && wm == 0 {
		wp = 1
	}
	s := wp*float64(c.Load.Pipelines) + wc*c.Load.CPU + wm*float64(c.Load.Memory)/1024
	return s / c.Weight, true
}
