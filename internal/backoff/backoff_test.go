package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDelayGrowsAndCaps(t *testing.T) {
	t.Parallel()
	p := Policy{Base: 100 * time.Millisecond, Multiplier: 2, Jitter: 0.5, Max: time.Second}
	mid := func() float64 { return 0.5 } // no jitter
	assert.Equal(t, 100*time.Millisecond, p.Delay(0, mid))
	assert.Equal(t, 200*time.Millisecond, p.Delay(1, mid))
	assert.Equal(t, 800*time.Millisecond, p.Delay(3, mid))
	assert.Equal(t, time.Second, p.Delay(4, mid))
	assert.Equal(t, time.Second, p.Delay(10000, mid), "huge attempts must not overflow")
	assert.Equal(t, 50*time.Millisecond, p.Delay(0, func() float64 { return 0 }), "lowest jitter")
	assert.Equal(t, 150*time.Millisecond, p.Delay(0, func() float64 { return 1 }), "highest jitter")
}

// TestZeroJitterIsExact: a zero jitter is used as given (it once meant
// "the default").
func TestZeroJitterIsExact(t *testing.T) {
	t.Parallel()
	p := Policy{Base: 100 * time.Millisecond, Multiplier: 2, Max: time.Second}
	for range 20 {
		assert.Equal(t, 400*time.Millisecond, p.Delay(2, nil))
	}
}
