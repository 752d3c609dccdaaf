package capture

// The reference the hand-written reader is fuzzed against
// (FuzzPcapMatchesGopacket, FuzzPcapngMatchesGopacket,
// FuzzDecodeMatchesGopacket): files are read by gopacket's pcapgo, and
// frames decoded by its layers decoders (Ethernet, Dot1Q, LinuxSLL,
// LinuxSLL2, Loopback, IPv4, IPv6, TCP). It shares no decoding code with
// decode.go: only the skip-reason words, which are what is compared, and
// the bounds the reader sets (restated here as refMax*).

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wxaudit/wxaudit/internal/sniff"
)

// refPacketSource is what pcapgo's two readers have in common.
type refPacketSource interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// refReader reads TCP packets from a pcap or pcapng stream.
//
// A refReader is not safe for concurrent use. Its first error is sticky: after
// Next fails, every later call returns the same error.
type refReader struct {
	format   Format
	src      refPacketSource
	ng       *pcapgo.NgReader // set for pcapng, whose link type is per interface
	guard    *refGuard        // pcapng framing checks, see limits.go
	linkType layers.LinkType  // the file's (pcap only)

	frame int64
	err   error
	stats Stats

	// Decoders reused from frame to frame so in steady state Next does not
	// allocate.
	eth   layers.Ethernet
	dot1q layers.Dot1Q
	sll   layers.LinuxSLL
	sll2  layers.LinuxSLL2
	loop  layers.Loopback
	ip4   layers.IPv4
	ip6   layers.IPv6
	ext   layers.IPv6ExtensionSkipper
	tcp   layers.TCP
}

// NewReader reads the capture file header from r and returns a refReader. The
// format is recognised by its magic number. r is read sequentially and
// never seeked, so it may be a pipe. It returns an error wrapping
// ErrUnknownFormat for unrecognised input, and one wrapping
// io.ErrUnexpectedEOF when r ends inside the file header.
func newRefReader(r io.Reader) (*refReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(2)
	gz := len(head) == 2 && head[0] == magicGzip0 && head[1] == magicGzip1
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("capture: gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	magic, err := br.Peek(4)
	if err != nil {
		if len(magic) == 0 && err == io.EOF {
			if gz {
				return nil, errors.New("capture: the gzip stream holds nothing")
			}
			return nil, errors.New("capture: empty input")
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("capture: reading file magic: %w", err)
	}
	rd := &refReader{stats: Stats{Skipped: map[string]int{}}}
	le, be := binary.LittleEndian.Uint32(magic), binary.BigEndian.Uint32(magic)
	switch {
	case le == magicPcapMicros || be == magicPcapMicros || le == magicPcapNanos || be == magicPcapNanos:
		pr, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("capture: pcap file header: %w", refHeaderErr(err))
		}
		if pr.Snaplen() > MaxRecordSize {
			pr.SetSnaplen(MaxRecordSize) // longer records are an error, not an allocation
		}
		rd.format, rd.src, rd.linkType = FormatPcap, pr, pr.LinkType()
	case le == magicPcapng:
		rd.guard = &refGuard{r: br}
		nr, err := pcapgo.NewNgReader(rd.guard, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			return nil, fmt.Errorf("capture: pcapng section header: %w", refHeaderErr(err))
		}
		rd.format, rd.src, rd.ng = FormatPcapng, nr, nr
	default:
		// Name what it is instead (only what is already buffered: a
		// stream on stdin may be idle).
		start, _ := br.Peek(br.Buffered())
		got := sniff.Bytes(start)
		got.Gzip = gz
		e := sniff.Mismatch("", got, "a pcap or pcapng capture", ErrUnknownFormat)
		e.Op = "capture" // not wrapped: the caller may set e.Name
		return nil, e
	}
	return rd, nil
}

// refHeaderErr turns an EOF inside a file header into io.ErrUnexpectedEOF.
func refHeaderErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Format returns the file format.
func (r *refReader) Format() Format { return r.format }

// LinkType names the link type of the file (pcap) or of its first interface
// (pcapng), e.g. "ethernet", "linux sll2", or "link type 147". A pcapng file
// describes its interfaces in blocks after the file header, so for pcapng
// LinkType is "unknown" until the first call to Next.
func (r *refReader) LinkType() string {
	if r.ng != nil {
		if r.ng.NInterfaces() == 0 {
			return "unknown"
		}
		intf, err := r.ng.Interface(0)
		if err != nil {
			return "unknown"
		}
		return refLinkTypeName(intf.LinkType)
	}
	return refLinkTypeName(r.linkType)
}

// refLinkTypeName names a link type as Reader.LinkType does, from the
// reference's own table.
func refLinkTypeName(lt layers.LinkType) string {
	switch lt {
	case layers.LinkTypeNull:
		return "null"
	case layers.LinkTypeEthernet:
		return "ethernet"
	case layers.LinkTypeRaw, 12, 14:
		return "raw ip"
	case layers.LinkTypeIPv4:
		return "raw ipv4"
	case layers.LinkTypeIPv6:
		return "raw ipv6"
	case layers.LinkTypeLoop:
		return "loop"
	case layers.LinkTypeLinuxSLL:
		return "linux sll"
	case layers.LinkTypeLinuxSLL2:
		return "linux sll2"
	}
	return fmt.Sprintf("link type %d", uint32(lt))
}

// asRefReason maps a reason of the reader to the reference's vocabulary:
// an address family over 255 becomes refBigFamily (see there).
func asRefReason(reason string) string {
	if n, ok := strings.CutPrefix(reason, "address family "); ok {
		if v, err := strconv.ParseUint(n, 10, 32); err == nil && v > 255 {
			return refBigFamily
		}
	}
	return reason
}

// asRefStats is s with its skip reasons mapped by asRefReason.
func asRefStats(s Stats) Stats {
	m := map[string]int{}
	for k, v := range s.Skipped {
		m[asRefReason(k)] += v
	}
	s.Skipped = m
	return s
}

// Stats returns the counters so far. The Skipped map is a copy.
func (r *refReader) Stats() Stats {
	s := r.stats
	s.Skipped = maps.Clone(r.stats.Skipped)
	return s
}

// Next returns the next TCP packet. Frames that are not TCP, or cannot be
// decoded, are skipped and counted in Stats. At the end of the input Next
// returns io.EOF. If the input ends inside a record it returns a
// *ParseError wrapping io.ErrUnexpectedEOF, after all packets before it.
//
// The returned Payload aliases the refReader's buffer and is valid until the
// next call to Next; copy it to keep it.
func (r *refReader) Next() (Packet, error) {
	if r.err != nil {
		return Packet{}, r.err
	}
	for {
		data, ci, err := r.src.ZeroCopyReadPacketData()
		if err != nil && r.guard != nil && r.guard.err != nil {
			err = r.guard.err // pcapgo keeps only its text
		}
		if err != nil {
			// pcapgo reports a record header followed by nothing as a plain
			// io.EOF; the header it filled in tells the two apart.
			if err == io.EOF && ci.CaptureLength == 0 {
				r.err = io.EOF
			} else {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				if errors.Is(err, io.ErrUnexpectedEOF) {
					err = fmt.Errorf("truncated record: %w", err)
				}
				r.err = &ParseError{Frame: r.frame + 1, Err: err}
			}
			return Packet{}, r.err
		}
		r.frame++
		r.stats.Frames++
		lt := r.linkType
		if r.ng != nil && len(ci.AncillaryData) > 0 {
			if l, ok := ci.AncillaryData[0].(layers.LinkType); ok {
				lt = l
			}
		}
		p := Packet{Frame: r.frame, Time: ci.Timestamp, Truncated: ci.CaptureLength < ci.Length}
		if reason := r.decode(data, linkType(lt), &p); reason != "" {
			r.stats.Skipped[reason]++
			continue
		}
		r.stats.TCPPackets++
		if p.Truncated {
			r.stats.Snapped++
		}
		return p, nil
	}
}

// decode fills p from a frame of link type lt. It returns "" for a TCP
// packet, else the reason the frame is skipped. It shares no decoding code
// with decode.go: the link layer is read by gopacket's decoders (link),
// and the network and transport layers by its IPv4, IPv6 and TCP layers.
func (r *refReader) decode(data []byte, lt linkType, p *Packet) string {
	nw, data, reason := r.link(data, layers.LinkType(lt))
	if reason != "" {
		return reason
	}
	var seg []byte
	switch nw {
	case layers.EthernetTypeIPv4:
		if len(data) < 20 {
			return reasonTruncated
		}
		if data[0]>>4 != 4 {
			return reasonBadIPVersion
		}
		if err := r.ip4.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			if int(data[0]&0x0f)*4 > len(data) {
				return reasonTruncated
			}
			return reasonBadIP
		}
		if r.ip4.Flags&layers.IPv4MoreFragments != 0 || r.ip4.FragOffset != 0 {
			return reasonFragment
		}
		if r.ip4.Protocol != layers.IPProtocolTCP {
			return refProtocolReason(r.ip4.Protocol)
		}
		if r.ip4.Length != 0 && int(r.ip4.Length) > len(data) {
			p.Truncated = true
		}
		src, dst := [4]byte(r.ip4.SrcIP), [4]byte(r.ip4.DstIP)
		p.Src = netip.AddrPortFrom(netip.AddrFrom4(src), 0)
		p.Dst = netip.AddrPortFrom(netip.AddrFrom4(dst), 0)
		seg = r.ip4.Payload
	case layers.EthernetTypeIPv6:
		if len(data) < 40 {
			return reasonTruncated
		}
		if data[0]>>4 != 6 {
			return reasonBadIPVersion
		}
		if err := r.ip6.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return reasonBadIP
		}
		if int(r.ip6.Length) > len(data)-40 {
			p.Truncated = true
		}
		next, payload := r.ip6.NextHeader, r.ip6.Payload
		if r.ip6.HopByHop != nil {
			next = r.ip6.HopByHop.NextHeader
		}
		for n := 0; next != layers.IPProtocolTCP; n++ {
			if n == refMaxIPv6ExtHeaders {
				return "too many ipv6 extension headers"
			}
			switch next {
			case layers.IPProtocolIPv6Fragment:
				return reasonFragment
			case layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination, layers.IPProtocolIPv6HopByHop:
				if err := r.ext.DecodeFromBytes(payload, gopacket.NilDecodeFeedback); err != nil {
					return reasonTruncated
				}
				next, payload = r.ext.NextHeader, r.ext.Payload
			default:
				return refProtocolReason(next)
			}
		}
		src, dst := [16]byte(r.ip6.SrcIP), [16]byte(r.ip6.DstIP)
		p.Src = netip.AddrPortFrom(netip.AddrFrom16(src), 0)
		p.Dst = netip.AddrPortFrom(netip.AddrFrom16(dst), 0)
		seg = payload
	default:
		panic("capture: internal error: no network layer")
	}

	if len(seg) < 20 {
		return reasonTruncated
	}
	if int(seg[12]>>4)*4 > len(seg) {
		if p.Truncated {
			return reasonTruncated
		}
		return reasonBadTCP
	}
	if err := r.tcp.DecodeFromBytes(seg, gopacket.NilDecodeFeedback); err != nil {
		return reasonBadTCP
	}
	p.Src = netip.AddrPortFrom(p.Src.Addr(), uint16(r.tcp.SrcPort))
	p.Dst = netip.AddrPortFrom(p.Dst.Addr(), uint16(r.tcp.DstPort))
	p.Seq, p.Ack = r.tcp.Seq, r.tcp.Ack
	p.Flags = TCPFlags(seg[13])
	p.Window = r.tcp.Window
	p.Payload = r.tcp.Payload
	return ""
}

// Bounds the reader sets on hostile input, restated for the reference.
const (
	refMaxVLANTags       = 4 // stacked 802.1Q/802.1ad tags
	refMaxIPv6ExtHeaders = 8
)

// refBigFamily is the reference's reason for a null or loop header whose
// address family does not fit in a byte: gopacket rejects it without a
// number, where the reader names the family it read ("address family N",
// N > 255). FuzzDecodeMatchesGopacket accepts either for it.
const refBigFamily = "address family over 255"

// link decodes the link-layer header of a frame with gopacket's decoders
// and returns the network layer's EtherType and bytes, or a skip reason.
func (r *refReader) link(data []byte, lt layers.LinkType) (layers.EthernetType, []byte, string) {
	var et layers.EthernetType
	switch lt {
	case layers.LinkTypeEthernet:
		if err := r.eth.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return 0, nil, reasonTruncated
		}
		et, data = r.eth.EthernetType, r.eth.Payload
		if et == layers.EthernetTypeLLC {
			// An 802.3 length, which gopacket keeps apart; the reader
			// names the raw field.
			return 0, nil, fmt.Sprintf("ethertype 0x%04x", r.eth.Length)
		}
		for tags := 0; et == layers.EthernetTypeDot1Q || et == layers.EthernetTypeQinQ || et == 0x9100; tags++ {
			if tags == refMaxVLANTags {
				return 0, nil, "too many vlan tags"
			}
			if err := r.dot1q.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
				return 0, nil, reasonTruncated
			}
			// The tag's own bytes follow it whatever the 802.3 length
			// trimming did to Payload.
			et, data = r.dot1q.Type, data[len(r.dot1q.Contents):]
		}
	case layers.LinkTypeLinuxSLL:
		// gopacket checks the address length, which the reader never
		// reads (it reads no address): zero it in a copy.
		if len(data) >= 16 {
			data = append(append([]byte(nil), data[:4]...), append([]byte{0, 0}, data[6:]...)...)
		}
		if err := r.sll.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return 0, nil, reasonTruncated
		}
		et, data = r.sll.EthernetType, r.sll.Payload
	case layers.LinkTypeLinuxSLL2:
		if len(data) >= 20 {
			data = append(append([]byte(nil), data[:11]...), append([]byte{0}, data[12:]...)...)
		}
		if err := r.sll2.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return 0, nil, reasonTruncated
		}
		et, data = r.sll2.ProtocolType, r.sll2.Payload
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		if len(data) < 4 {
			return 0, nil, reasonTruncated
		}
		// LINKTYPE_LOOP is in network byte order; gopacket guesses the
		// order from the first two bytes for both, which is right for
		// LOOP only when they are zero.
		if lt == layers.LinkTypeLoop && (data[0] != 0 || data[1] != 0) {
			return 0, nil, refBigFamily
		}
		if err := r.loop.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return 0, nil, refBigFamily
		}
		switch r.loop.Family {
		case layers.ProtocolFamilyIPv4:
			return layers.EthernetTypeIPv4, r.loop.Payload, ""
		case layers.ProtocolFamilyIPv6Linux, layers.ProtocolFamilyIPv6BSD, layers.ProtocolFamilyIPv6FreeBSD, layers.ProtocolFamilyIPv6Darwin:
			return layers.EthernetTypeIPv6, r.loop.Payload, ""
		}
		return 0, nil, fmt.Sprintf("address family %d", r.loop.Family)
	case layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6, 12, 14: // DLT_RAW is 12, or 14 on OpenBSD
		if len(data) == 0 {
			return 0, nil, reasonTruncated
		}
		switch data[0] >> 4 {
		case 4:
			return layers.EthernetTypeIPv4, data, ""
		case 6:
			return layers.EthernetTypeIPv6, data, ""
		}
		return 0, nil, reasonBadIPVersion
	default:
		return 0, nil, fmt.Sprintf("unsupported link type %d", uint32(lt))
	}
	switch et {
	case layers.EthernetTypeIPv4, layers.EthernetTypeIPv6:
		return et, data, ""
	case layers.EthernetTypeARP:
		return 0, nil, reasonARP
	}
	return 0, nil, fmt.Sprintf("ethertype 0x%04x", uint16(et))
}

// refProtocolReason names a non-TCP IP protocol.
func refProtocolReason(p layers.IPProtocol) string {
	switch p {
	case layers.IPProtocolUDP:
		return reasonUDP
	case layers.IPProtocolICMPv4:
		return reasonICMP
	case layers.IPProtocolICMPv6:
		return reasonICMPv6
	case layers.IPProtocolIGMP:
		return reasonIGMP
	}
	return fmt.Sprintf("ip protocol %d", uint8(p))
}

// refGuard checks pcapng block framing as the bytes stream past on their way
// to pcapgo: each block's length is sane (a multiple of 4, at least 12,
// at most MaxRecordSize), its trailing copy of the length agrees, and the
// interface blocks are at most MaxInterfaces. It keeps no block, only a
// few counters.
type refGuard struct {
	r   io.Reader
	err error

	off     int64 // bytes seen
	start   int64 // offset of the current block
	hdr     [12]byte
	hn      int // header bytes collected
	length  uint32
	left    int64 // body bytes still to skip
	inBody  bool
	trailer [4]byte
	tn      int
	inTrail bool
	big     bool
	ifaces  int
}

func (g *refGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if serr := g.scan(p[:n]); serr != nil {
		// The bytes of earlier blocks in p are still passed on.
		g.err = serr
		return n, serr
	}
	return n, err
}

func (g *refGuard) u32(b []byte) uint32 {
	if g.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (g *refGuard) scan(b []byte) error {
	for len(b) > 0 {
		switch {
		case g.inBody:
			k := int(min(g.left, int64(len(b))))
			g.left -= int64(k)
			g.off += int64(k)
			b = b[k:]
			if g.left == 0 {
				g.inBody, g.inTrail, g.tn = false, true, 0
			}
		case g.inTrail:
			k := copy(g.trailer[g.tn:], b)
			g.tn += k
			g.off += int64(k)
			b = b[k:]
			if g.tn == 4 {
				if t := g.u32(g.trailer[:]); t != g.length {
					return &CorruptError{g.start, fmt.Sprintf("length %d at its start, %d at its end", g.length, t)}
				}
				g.inTrail, g.hn = false, 0
			}
		default: // collecting a block header
			if g.hn == 0 {
				g.start = g.off
			}
			need := 8
			if g.hn >= 4 && binary.LittleEndian.Uint32(g.hdr[:4]) == ngSectionHeader {
				need = 12 // the byte-order magic decides how to read the length
			}
			k := copy(g.hdr[g.hn:need], b)
			g.hn += k
			g.off += int64(k)
			b = b[k:]
			if g.hn < need || (g.hn == 8 && binary.LittleEndian.Uint32(g.hdr[:4]) == ngSectionHeader) {
				continue
			}
			if err := g.header(); err != nil {
				return err
			}
		}
	}
	return nil
}

// header checks a complete block header and starts skipping its body.
func (g *refGuard) header() error {
	typ := binary.LittleEndian.Uint32(g.hdr[:4])
	if typ == ngSectionHeader {
		switch {
		case binary.BigEndian.Uint32(g.hdr[8:12]) == ngByteOrderMagic:
			g.big = true
		case binary.LittleEndian.Uint32(g.hdr[8:12]) == ngByteOrderMagic:
			g.big = false
		default:
			return &CorruptError{g.start, "section header without its byte-order magic"}
		}
	} else if g.u32(g.hdr[:4]) == ngInterfaceDescription {
		if g.ifaces++; g.ifaces > MaxInterfaces {
			return &CorruptError{g.start, fmt.Sprintf("more than %d interface descriptions", MaxInterfaces)}
		}
	}
	g.length = g.u32(g.hdr[4:8])
	switch {
	case g.length%4 != 0 || g.length < uint32(g.hn)+4:
		return &CorruptError{g.start, fmt.Sprintf("block length %d", g.length)}
	case g.length > MaxRecordSize:
		return &CorruptError{g.start, fmt.Sprintf("block of %d bytes, more than the %d MiB limit", g.length, MaxRecordSize>>20)}
	}
	g.left = int64(g.length) - int64(g.hn) - 4
	g.inBody = true
	if g.left == 0 {
		g.inBody, g.inTrail, g.tn = false, true, 0
	}
	return nil
}

// rewriteWithPcapgo reads a capture the Writer wrote and writes its records
// again with pcapgo's writers, as the Writer did before it wrote them by
// hand: the bytes must be the same.
func rewriteWithPcapgo(t testing.TB, in []byte, f Format, opts WriterOptions) []byte {
	t.Helper()
	lt, _ := opts.Link.number()
	snap := uint32(opts.Snaplen)
	if snap == 0 {
		snap = maxSnaplen
	}
	var out bytes.Buffer
	if f == FormatPcap {
		r, err := pcapgo.NewReader(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		w := pcapgo.NewWriter(&out)
		if opts.Nanoseconds {
			w = pcapgo.NewWriterNanos(&out)
		}
		if err := w.WriteFileHeader(snap, layers.LinkType(lt)); err != nil {
			t.Fatal(err)
		}
		for {
			data, ci, err := r.ReadPacketData()
			if err == io.EOF {
				return out.Bytes()
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WritePacket(ci, data); err != nil {
				t.Fatal(err)
			}
		}
	}
	r, err := pcapgo.NewNgReader(bytes.NewReader(in), pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	intf := pcapgo.DefaultNgInterface
	intf.LinkType = layers.LinkType(lt)
	intf.SnapLength = snap
	intf.Name = "wxaudit"
	ngOpts := pcapgo.DefaultNgWriterOptions
	ngOpts.SectionInfo.Application = "wxaudit" // as capture.NewWriter names itself
	w, err := pcapgo.NewNgWriterInterface(&out, intf, ngOpts)
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ci.InterfaceIndex = 0
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
