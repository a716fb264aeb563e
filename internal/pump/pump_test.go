package pump

import (
	"runtime"
	"strconv"
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

func TestInterleavedPushAndRead(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	p := StartFunc(8, &wg, func(v int) (string, bool) { return strconv.Itoa(v), v%3 != 0 })
	go func() {
		for i := range 300 {
			for {
				ok, full := p.Push(i)
				if ok {
					break
				}
				if !full {
					return // the pump refused for another reason: the reader will see a short count
				}
				runtime.Gosched()
			}
		}
		p.Drain()
	}()
	var got []string
	for v := range p.Out() {
		got = append(got, v)
	}
	require.Len(t, got, 200, "multiples of 3 are skipped by the conversion")
	assert.Equal(t, "1", got[0])
	assert.Equal(t, "299", got[199])
	wg.Wait()
}

func TestOverflowReportsFull(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	p := Start[int](2, &wg)
	full := false
	for i := 0; i < 10 && !full; i++ {
		_, full = p.Push(i)
	}
	assert.True(t, full, "nothing reads, so the queue must fill")
	p.Stop()
	<-p.Done()
	wg.Wait()
}

func TestIdleHoldsNoGoroutine(t *testing.T) {
	var wg sync.WaitGroup
	p := Start[int](4, &wg)
	p.Push(1)
	assert.Equal(t, 1, <-p.Out())
	wg.Wait() // returns only because the delivery goroutine exited when idle
	p.Push(2)
	assert.Equal(t, 2, <-p.Out())
	p.Drain()
	_, open := <-p.Out()
	assert.False(t, open)
	wg.Wait()
}

func TestStopWithoutReader(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	p := Start[string](4, &wg)
	p.Push("a")
	p.Push("b")
	p.Stop()
	p.Stop()
	<-p.Done()
	for range p.Out() {
		continue // drain whatever raced the close
	}
	ok, full := p.Push("c")
	assert.False(t, ok)
	assert.False(t, full)
	wg.Wait()
}

// TestConstantBacklogStaysBounded keeps a steady backlog (the reader is
// always half a buffer behind) for a million values: the queue's memory
// must stay within the limit the whole time, not grow with the number of
// values that went through it.
func TestConstantBacklogStaysBounded(t *testing.T) {
	t.Parallel()
	const limit, backlog, total = 1024, 512, 1_000_000
	var wg sync.WaitGroup
	p := StartFunc(limit, &wg, func(v int) ([64]byte, bool) { return [64]byte{byte(v)}, true })
	pushed, read := 0, 0
	push := func() {
		if ok, full := p.Push(pushed); !ok || full {
			t.Fatalf("push %d refused (full %v): a backlog of %d must fit a buffer of %d", pushed, full, backlog, limit)
		}
		pushed++
	}
	for range backlog {
		push()
	}
	maxCap := 0
	for read < total {
		// The delivery goroutine may hold one value taken from the queue.
		if v := <-p.Out(); v[0] != byte(read) {
			t.Fatalf("value %d out of order", read)
		}
		read++
		if pushed < total {
			push()
		}
		if read%4096 == 0 {
			maxCap = max(maxCap, p.Cap())
		}
	}
	p.Drain()
	_, open := <-p.Out()
	assert.False(t, open)
	wg.Wait()
	assert.LessOrEqual(t, maxCap, limit)
	assert.Positive(t, maxCap)
}
