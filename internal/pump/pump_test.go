package pump

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOrderAndDrain(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	p := Start[int](10000, &wg)
	for i := range 5000 {
		ok, full := p.Push(i)
		require.True(t, ok)
		require.False(t, full)
	}
	p.Drain()
	ok, _ := p.Push(-1)
	assert.False(t, ok, "no push after drain")
	want := 0
	for v := range p.Out() {
		require.Equal(t, want, v)
		want++
	}
	assert.Equal(t, 5000, want)
	wg.Wait()
}

func TestOverflowReportsFull(t *testing.T) {
	t.Parallel()
	p := Start[int](2, nil)
	defer func() { p.Stop(); <-p.Done() }()
	// Nothing reads, so the goroutine holds at most one value in hand and
	// the queue fills at two.
	full := false
	for i := 0; i < 10 && !full; i++ {
		_, full = p.Push(i)
	}
	assert.True(t, full)
}

func TestStopWithoutReader(t *testing.T) {
	t.Parallel()
	p := Start[string](4, nil)
	p.Push("a")
	p.Push("b")
	p.Stop()
	p.Stop()
	<-p.Done()
	_, open := <-p.Out()
	// A value in hand may be lost to the close race; only closure matters.
	for open {
		_, open = <-p.Out()
	}
	ok, full := p.Push("c")
	assert.False(t, ok)
	assert.False(t, full)
}
