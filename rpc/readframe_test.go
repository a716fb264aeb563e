package rpc

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// chunked returns data in reads of at most n bytes.
type chunked struct {
	data []byte
	n    int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), c.n, len(c.data))
	copy(p, c.data[:k])
	c.data = c.data[k:]
	return k, nil
}

// FuzzReadFrame: whatever the frame, the read limit and the sizes of the
// reads, a frame within the limit comes back whole, a longer one is
// reported over the limit with its first limit bytes, and the buffer never
// grows past the limit.
func FuzzReadFrame(f *testing.F) {
	f.Add([]byte(`{"id":1,"result":{}}`), uint16(64), uint8(7), false)
	f.Add(bytes.Repeat([]byte("x"), 3000), uint16(1024), uint8(255), true)
	f.Add([]byte{}, uint16(1), uint8(1), false)
	f.Fuzz(func(t *testing.T, data []byte, limit16 uint16, chunk uint8, reuse bool) {
		limit := int64(limit16) + 1
		var r io.Reader = &chunked{data: data, n: int(chunk) + 1}
		if chunk%5 == 0 {
			r = iotest.DataErrReader(r) // data and io.EOF in one read
		}
		var buf []byte
		if reuse {
			buf = make([]byte, 0, 16)
		}
		got, over, err := readFrame(buf, r, limit)
		require.NoError(t, err)
		require.LessOrEqual(t, int64(cap(got)), max(limit, 512, 16), "the buffer never grows past the limit")
		if int64(len(data)) > limit {
			require.True(t, over)
			require.Equal(t, data[:limit], got)
			return
		}
		require.False(t, over)
		require.Equal(t, data, got[:len(got):len(got)])
	})
}
