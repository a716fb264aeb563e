package media

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/srtp/v3"
)

// An RTP node is the network side of an RtpEndpoint: one UDP socket on the
// loopback per m-line, carrying that m-line's RTP and RTCP (muxed, as the
// SDP's a=rtcp names the same port). Packets are plain RTP, or SRTP when
// both SDPs carry SDES keys (a=crypto): no ICE, no DTLS.

// rtpLine is one m-line of an RTP node.
type rtpLine struct {
	kind Kind
	conn *net.UDPConn

	// Set once the session is negotiated (SetRTPRemote).
	remote netip.AddrPort
	// byPT maps the negotiated payload types to their codec; ptOf the
	// other way (the node sends each source with its codec's type).
	byPT map[uint8]codecInfo
	ptOf map[string]uint8
	ssrc uint32
	// sources by payload type, made on the first packet of each.
	sources map[uint8]*source
	// enc protects what the node sends (its own SDES key), dec opens what
	// it receives (the peer's key); both nil for plain RTP. enc is used
	// under rtpNode.mu, dec by the line's reader only.
	enc, dec *srtp.Context
}

type codecInfo struct {
	mime  string
	clock uint32
}

type rtpNode struct {
	n *node

	mu     sync.Mutex
	lines  []*rtpLine
	byKind [numKinds]*rtpLine
	closed bool
	wg     sync.WaitGroup
}

// AddRTP adds an RTP node with one socket per media kind in kinds (one
// entry per m-line, in order; a rejected m-line gets none) and returns
// their ports (0 for none). Packets arriving before [Engine.SetRTPRemote]
// are dropped.
func (e *Engine) AddRTP(id string, kinds []*Kind) ([]int, error) {
	e.mu.RLock()
	closed, exists := e.closed, e.nodes[id] != nil
	e.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	if exists {
		return nil, fmt.Errorf("media: node %s exists", id)
	}
	n := e.newNode(id)
	n.network = true
	r := &rtpNode{n: n}
	ports := make([]int, len(kinds))
	for i, k := range kinds {
		if k == nil {
			r.lines = append(r.lines, nil)
			continue
		}
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			r.close()
			return nil, fmt.Errorf("media: open an RTP socket: %w", err)
		}
		l := &rtpLine{kind: *k, conn: conn, ssrc: randSSRC(), sources: map[uint8]*source{}}
		r.lines = append(r.lines, l)
		if r.byKind[*k] == nil {
			r.byKind[*k] = l
		}
		ports[i] = conn.LocalAddr().(*net.UDPAddr).Port //nolint:forcetypeassert // a UDP socket's address
	}
	n.out = r
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		r.close()
		return nil, ErrClosed
	}
	e.nodes[id] = n
	e.mu.Unlock()
	for _, l := range r.lines {
		if l != nil {
			r.wg.Go(func() { r.read(l) })
		}
	}
	return ports, nil
}

// SetRTPRemote completes an RTP node's negotiation: the local and remote
// SDP give each m-line its codecs (payload types) and the address its
// packets go to (the remote c= line and m= port; none when the port is 0
// or the address unspecified).
func (e *Engine) SetRTPRemote(id, local, remote string) error {
	n := e.node(id)
	if n == nil {
		return fmt.Errorf("media: no node %s", id)
	}
	r, ok := n.out.(*rtpNode)
	if !ok {
		return fmt.Errorf("media: node %s is not RTP", id)
	}
	var ld, rd sdp.SessionDescription
	if err := ld.UnmarshalString(local); err != nil {
		return fmt.Errorf("parse the local SDP: %w", err)
	}
	if err := rd.UnmarshalString(remote); err != nil {
		return fmt.Errorf("parse the remote SDP: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, l := range r.lines {
		if l == nil || i >= len(rd.MediaDescriptions) || i >= len(ld.MediaDescriptions) {
			continue
		}
		rm := rd.MediaDescriptions[i]
		l.byPT, l.ptOf = map[uint8]codecInfo{}, map[string]uint8{}
		// The payload types both sides list, with the local names.
		for _, f := range rm.MediaName.Formats {
			pt, err := strconv.ParseUint(f, 10, 8)
			if err != nil {
				continue
			}
			c, err := ld.GetCodecForPayloadType(uint8(pt))
			if err != nil || c.Name == "" {
				continue
			}
			mime := strings.ToLower(l.kind.String()) + "/" + c.Name
			l.byPT[uint8(pt)] = codecInfo{mime: mime, clock: c.ClockRate}
			if _, ok := l.ptOf[strings.ToLower(mime)]; !ok {
				l.ptOf[strings.ToLower(mime)] = uint8(pt)
			}
		}
		l.remote = remoteAddr(&rd, rm)
		lk, lok := sdesKey(ld.MediaDescriptions[i])
		rk, rok := sdesKey(rm)
		if lok && rok {
			enc, err := lk.context()
			if err != nil {
				return err
			}
			dec, err := rk.context()
			if err != nil {
				return err
			}
			l.enc, l.dec = enc, dec
		}
	}
	return nil
}

// sdes is an SDES master key (RFC 4568) from an a=crypto line.
type sdes struct {
	profile   srtp.ProtectionProfile
	key, salt []byte
}

func (k sdes) context() (*srtp.Context, error) {
	c, err := srtp.CreateContext(k.key, k.salt, k.profile)
	if err != nil {
		return nil, fmt.Errorf("media: SRTP: %w", err)
	}
	return c, nil
}

// sdesKey reads the first a=crypto line of an m-line whose suite the
// engine knows: "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY[|...]".
func sdesKey(m *sdp.MediaDescription) (sdes, bool) {
	for _, a := range m.Attributes {
		if a.Key != "crypto" {
			continue
		}
		f := strings.Fields(a.Value)
		if len(f) < 3 {
			continue
		}
		var k sdes
		keyLen := 16
		switch f[1] {
		case "AES_CM_128_HMAC_SHA1_80":
			k.profile = srtp.ProtectionProfileAes128CmHmacSha1_80
		case "AES_CM_128_HMAC_SHA1_32":
			k.profile = srtp.ProtectionProfileAes128CmHmacSha1_32
		case "AES_256_CM_HMAC_SHA1_80":
			k.profile, keyLen = srtp.ProtectionProfileAes256CmHmacSha1_80, 32
		case "AES_256_CM_HMAC_SHA1_32":
			k.profile, keyLen = srtp.ProtectionProfileAes256CmHmacSha1_32, 32
		default:
			continue
		}
		inline, ok := strings.CutPrefix(f[2], "inline:")
		if !ok {
			continue
		}
		inline, _, _ = strings.Cut(inline, "|")
		b, err := base64.StdEncoding.DecodeString(inline)
		if err != nil || len(b) != keyLen+14 {
			continue
		}
		k.key, k.salt = b[:keyLen], b[keyLen:]
		return k, true
	}
	return sdes{}, false
}

func remoteAddr(d *sdp.SessionDescription, m *sdp.MediaDescription) netip.AddrPort {
	c := d.ConnectionInformation
	if m.ConnectionInformation != nil {
		c = m.ConnectionInformation
	}
	port := m.MediaName.Port.Value
	if c == nil || c.Address == nil || port <= 1 || port > 65535 {
		return netip.AddrPort{}
	}
	a, err := netip.ParseAddr(c.Address.Address)
	if err != nil || a.IsUnspecified() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, uint16(port)) //nolint:gosec // G115: checked above
}

// read takes what arrives on one m-line's socket until it closes.
func (r *rtpNode) read(l *rtpLine) {
	n := r.n
	buf := make([]byte, 1500)
	for {
		size, _, err := l.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		b := buf[:size]
		if isRTCP(b) {
			r.readRTCP(l, b)
			continue
		}
		var p rtp.Packet
		if p.Unmarshal(b) != nil {
			continue
		}
		if dec := r.decoder(l); dec != nil {
			plain, err := dec.DecryptRTP(nil, b, nil)
			if err != nil || p.Unmarshal(plain) != nil {
				continue // not from the peer, or replayed
			}
		}
		src := r.source(l, p.PayloadType, p.SSRC)
		if src == nil {
			continue // not negotiated (yet)
		}
		// The packet's buffer is reused for the next read.
		p.Payload = append([]byte(nil), p.Payload...)
		n.flow(l.kind, dirOut)
		n.e.forward(n, l.kind, src, &p, false, 0)
	}
}

// isRTCP tells RTCP from RTP on a muxed port (RFC 5761: packet types
// 192 to 223 are RTCP).
func isRTCP(b []byte) bool { return len(b) >= 2 && b[1] >= 192 && b[1] <= 223 }

func (r *rtpNode) source(l *rtpLine, pt uint8, ssrc uint32) *source {
	r.mu.Lock()
	if s := l.sources[pt]; s != nil {
		r.mu.Unlock()
		return s
	}
	c, ok := l.byPT[pt]
	if !ok {
		r.mu.Unlock()
		return nil
	}
	s := &source{node: r.n, kind: l.kind, mime: c.mime, clock: c.clock}
	if l.kind == Video {
		s.keyframe = func() {
			r.sendRTCP(l, &rtcp.PictureLossIndication{SenderSSRC: l.ssrc, MediaSSRC: ssrc})
		}
	}
	l.sources[pt] = s
	r.mu.Unlock()
	// A decoder downstream may already wait: ask for a key frame now.
	s.requestKeyframe()
	return s
}

func randSSRC() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}

func (r *rtpNode) decoder(l *rtpLine) *srtp.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	return l.dec
}

func (r *rtpNode) readRTCP(l *rtpLine, b []byte) {
	if dec := r.decoder(l); dec != nil {
		plain, err := dec.DecryptRTCP(nil, b, nil)
		if err != nil {
			return
		}
		b = plain
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return
	}
	for _, p := range pkts {
		switch p.(type) {
		case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
			r.n.keyframeRequested(l.kind)
		}
	}
}

func (r *rtpNode) sendRTCP(l *rtpLine, p rtcp.Packet) {
	b, err := p.Marshal()
	if err != nil {
		return
	}
	r.mu.Lock()
	to := l.remote
	if l.enc != nil && to.IsValid() {
		b, err = l.enc.EncryptRTCP(nil, b, nil)
	}
	r.mu.Unlock()
	if to.IsValid() && err == nil {
		_, _ = l.conn.WriteToUDPAddrPort(b, to)
	}
}

func (r *rtpNode) accepts(k Kind, mime string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.byKind[k]
	if l == nil || l.byPT == nil {
		return false
	}
	// A codec both SDPs list, sent with its payload type.
	_, ok := l.ptOf[strings.ToLower(mime)]
	return ok
}

func (r *rtpNode) write(k Kind, src *source, p *rtp.Packet) {
	r.mu.Lock()
	l := r.byKind[k]
	if l == nil || !l.remote.IsValid() || r.closed {
		r.mu.Unlock()
		return
	}
	pt, ok := l.ptOf[strings.ToLower(src.mime)]
	if !ok {
		r.mu.Unlock()
		return
	}
	q := *p
	q.PayloadType, q.SSRC = pt, l.ssrc
	b, err := q.Marshal()
	if err == nil && l.enc != nil {
		b, err = l.enc.EncryptRTP(nil, b, nil)
	}
	to := l.remote
	r.mu.Unlock()
	if err != nil {
		return
	}
	_, _ = l.conn.WriteToUDPAddrPort(b, to)
}

func (r *rtpNode) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	for _, l := range r.lines {
		if l != nil {
			_ = l.conn.Close()
		}
	}
	r.wg.Wait()
}
