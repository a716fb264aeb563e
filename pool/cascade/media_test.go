package cascade_test

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/filter"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pool/cascade"
	"github.com/gokurento/kurento/types"
)

// writeIVF writes n VP8 frames at 25 per second (a key frame every 10):
// headers a VP8 reader accepts, random filler, as the fake forwards
// packets without decoding them.
func writeIVF(t *testing.T, path string, n int) {
	t.Helper()
	b := []byte("DKIF")
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint16(b, 32)
	b = append(b, "VP80"...)
	b = binary.LittleEndian.AppendUint16(b, 320)
	b = binary.LittleEndian.AppendUint16(b, 240)
	b = binary.LittleEndian.AppendUint32(b, 25)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, uint32(n)) //nolint:gosec // small
	b = binary.LittleEndian.AppendUint32(b, 0)
	for i := range n {
		f := make([]byte, 600)
		_, _ = rand.Read(f)
		f[0] = 0x10
		if i%10 != 0 {
			f[0] |= 1
		}
		copy(f[3:], []byte{0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00})
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f))) //nolint:gosec // small
		b = binary.LittleEndian.AppendUint64(b, uint64(i))      //nolint:gosec // small
		b = append(b, f...)
	}
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// TestRelayCarriesMedia plays a file on one fake and sees its packets
// arrive on the other through the relay's RtpEndpoints (RTP over loopback
// UDP, at the addresses their SDPs give; SRTP with SDES keys).
func TestRelayCarriesMedia(t *testing.T) {
	t.Run("RTP", func(t *testing.T) { relayMedia(t, nil) })
	t.Run("SRTP", func(t *testing.T) {
		relayMedia(t, &cascade.Options{Crypto: &types.SDES{
			Crypto: types.CryptoSuiteAes128CmHmacSha1_80, Key: "0123456789abcdef0123456789abcd",
		}})
	})
}

func relayMedia(t *testing.T, opts *cascade.Options) {
	t.Helper()
	a, b := newSide(t, kurentotest.WithMedia()), newSide(t, kurentotest.WithMedia())
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	clip := filepath.Join(t.TempDir(), "clip.ivf")
	writeIVF(t, clip, 100) // 4 s
	player, err := endpoint.NewPlayerEndpoint(ctx, a.p, "file://"+clip, nil)
	require.NoError(t, err)
	l, err := cascade.Relay(ctx, player, b.p, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close(context.WithoutCancel(ctx)) })

	offer, err := l.Near().GetLocalSessionDescriptor(ctx)
	require.NoError(t, err)
	assert.Contains(t, offer, "c=IN IP4 127.0.0.1", "the offer names the loopback")
	assert.NotContains(t, offer, "m=video 1 ", "the offer names a real port")
	if opts != nil {
		assert.Contains(t, offer, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:", "the offer carries the SDES key")
	}

	sink, err := filter.NewPassThrough(ctx, b.p, nil)
	require.NoError(t, err)
	flowing, err := sink.OnMediaFlowInStateChanged(ctx)
	require.NoError(t, err)
	require.NoError(t, l.Source().Connect(ctx, sink, nil))
	require.NoError(t, player.Play(ctx))
	for got := false; !got; {
		select {
		case ev := <-flowing:
			got = ev.MediaType == types.MediaTypeVideo && ev.State == types.MediaFlowStateFlowing
		case <-ctx.Done():
			t.Fatal("no video reached the far fake's PassThrough")
		}
	}
	// Each fake reports its own side's flow, each in its own time, as KMS
	// does, seen from the pipeline: what the far endpoint receives from
	// the near one leaves it into its pipeline (flow out), what the near
	// endpoint sends to the far one enters it from its pipeline (flow in).
	for _, side := range []struct {
		what string
		ask  func() (bool, error)
	}{
		{"the far endpoint receives video", func() (bool, error) {
			return l.Source().IsMediaFlowingOut(ctx, types.MediaTypeVideo, nil)
		}},
		{"the near endpoint sends video", func() (bool, error) {
			return l.Near().IsMediaFlowingIn(ctx, types.MediaTypeVideo, nil)
		}},
	} {
		for {
			ok, err := side.ask()
			require.NoError(t, err)
			if ok {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("gave up waiting: %s", side.what)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}
