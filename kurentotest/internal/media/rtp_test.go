package media

import (
	"bytes"
	"encoding/base64"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rtpSDP is a one-video-m-line SDP at 127.0.0.1:port, with an SDES key
// when key is not empty.
func rtpSDP(port int, key []byte) string {
	s := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=video " + strconv.Itoa(port) + " RTP/AVPF 96\r\na=rtpmap:96 VP8/90000\r\na=sendrecv\r\na=mid:video0\r\n"
	if key != nil {
		s += "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + base64.StdEncoding.EncodeToString(key) + "\r\n"
	}
	return s
}

// TestRTPLoopback sends RTP (or SRTP) from a bare UDP socket to an RTP
// node connected to itself and reads it back: the node sends to the
// address of the remote SDP, with the payload type negotiated there, and
// protects what it sends with its own key and opens what it receives with
// the peer's.
func TestRTPLoopback(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run("srtp="+strconv.FormatBool(secure), func(t *testing.T) {
			e := New(Config{})
			defer e.Close()
			peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			require.NoError(t, err)
			defer func() { _ = peer.Close() }()
			video := Video
			ports, err := e.AddRTP("rtp", []*Kind{&video})
			require.NoError(t, err)
			require.NotZero(t, ports[0])
			var localKey, peerKey []byte
			if secure {
				localKey = bytes.Repeat([]byte{1}, 30)
				peerKey = bytes.Repeat([]byte{2}, 30)
			}
			require.NoError(t, e.SetRTPRemote("rtp", rtpSDP(ports[0], localKey), rtpSDP(peer.LocalAddr().(*net.UDPAddr).Port, peerKey)))
			e.SetRoutes([]Route{{Source: "rtp", Sink: "rtp", Kind: Video}})

			payload := []byte("a VP8 payload, in the clear")
			var enc, dec *srtp.Context
			if secure {
				enc, err = srtp.CreateContext(peerKey[:16], peerKey[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
				require.NoError(t, err)
				dec, err = srtp.CreateContext(localKey[:16], localKey[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
				require.NoError(t, err)
			}
			to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: ports[0]}
			buf := make([]byte, 1500)
			for seq := uint16(1); ; seq++ {
				p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq, SSRC: 42}, Payload: payload}
				out, err := p.Marshal()
				require.NoError(t, err)
				if secure {
					out, err = enc.EncryptRTP(nil, out, nil)
					require.NoError(t, err)
				}
				_, err = peer.WriteToUDP(out, to)
				require.NoError(t, err)
				require.NoError(t, peer.SetReadDeadline(time.Now().Add(100*time.Millisecond)))
				n, _, err := peer.ReadFromUDP(buf)
				if err != nil {
					require.NoError(t, t.Context().Err(), "nothing came back")
					continue
				}
				got := buf[:n]
				if isRTCP(got) {
					continue // the key frame request
				}
				assert.Equal(t, !secure, bytes.Contains(got, payload), "payload in the clear on the wire")
				if secure {
					got, err = dec.DecryptRTP(nil, got, nil)
					require.NoError(t, err, "protected with the node's own key")
				}
				var back rtp.Packet
				require.NoError(t, back.Unmarshal(got))
				assert.Equal(t, payload, back.Payload)
				assert.Equal(t, uint8(96), back.PayloadType)
				assert.NotEqual(t, uint32(42), back.SSRC, "sent with the node's own SSRC")
				break
			}
		})
	}
}

// TestRTPTakesNegotiatedCodecs: an RTP node takes sources of any codec
// both SDPs list, and no other; before the answer it takes none.
func TestRTPTakesNegotiatedCodecs(t *testing.T) {
	e := New(Config{})
	defer e.Close()
	video := Video
	ports, err := e.AddRTP("rtp", []*Kind{&video})
	require.NoError(t, err)
	r := e.node("rtp").out
	assert.False(t, r.accepts(Video, "video/VP8"), "not negotiated yet")
	local := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=video " + strconv.Itoa(ports[0]) + " RTP/AVPF 103 104\r\na=rtpmap:103 VP9/90000\r\na=rtpmap:104 VP8/90000\r\n"
	remote := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=video 9000 RTP/AVPF 104\r\na=rtpmap:104 VP8/90000\r\n"
	require.NoError(t, e.SetRTPRemote("rtp", local, remote))
	assert.True(t, r.accepts(Video, "video/vp8"))
	assert.False(t, r.accepts(Video, "video/VP9"), "the peer did not take VP9")
	assert.False(t, r.accepts(Audio, "audio/opus"), "no audio m-line")
}
