package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDelayGrowsAndCaps(t *testing.T) {
	t.Parallel()
	p := Policy{Base: 100 * time.Millisecond, Multiplier: 2, Jitter: 0.5, Max: time.Second}.WithDefaults()
	mid := func() float64 { return 0.5 } // no jitter
	assert.Equal(t, 100*time.Millisecond, p.Delay(0, mid))
	assert.Equal(t, 200*time.Millisecond, p.Delay(1, mid))
	assert.Equal(t, 800*time.Millisecond, p.Delay(3, mid))
	assert.Equal(t, time.Second, p.Delay(4, mid))
	assert.Equal(t, time.Second, p.Delay(10000, mid), "huge attempts must not overflow")
	assert.Equal(t, 50*time.Millisecond, p.Delay(0, func() float64 { return 0 }), "lowest jitter")
	assert.Equal(t, 150*time.Millisecond, p.Delay(0, func() float64 { return 1 }), "highest jitter")
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	p := Policy{}.WithDefaults()
	assert.Equal(t, Policy{Base: DefaultBase, Multiplier: DefaultMultiplier, Jitter: DefaultJitter, Max: DefaultMax}, p)
	for i := range 50 {
		d := p.Delay(i, nil)
		assert.Positive(t, d)
		assert.LessOrEqual(t, d, time.Duration(float64(DefaultMax)*(1+DefaultJitter)))
	}
}
