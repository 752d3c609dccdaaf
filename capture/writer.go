package capture

// This file writes synthetic TCP packets as pcap or pcapng, for tests and for
// the traffic generator (pcapng blocks with internal/pcapfile, not gopacket:
// see Reader). Frames are built by hand into one reused buffer:
// Ethernet (or another link header) + IPv4/IPv6 + TCP, with valid checksums
// so that Wireshark reads them without warnings.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/wxaudit/wxaudit/internal/pcapfile"
)

// LinkType is the link-layer framing a Writer uses.
type LinkType uint8

// Link types a Writer can write.
const (
	LinkTypeEthernet LinkType = iota // LINKTYPE_ETHERNET (1), the default
	LinkTypeRaw                      // LINKTYPE_RAW (101): the frame starts with the IP header
	LinkTypeSLL                      // LINKTYPE_LINUX_SLL (113)
	LinkTypeSLL2                     // LINKTYPE_LINUX_SLL2 (276), as `tcpdump -i any` writes
	LinkTypeNull                     // LINKTYPE_NULL (0), little-endian family
	LinkTypeLoop                     // LINKTYPE_LOOP (108), big-endian family
)

// number is the link-type number the file header carries for l.
func (l LinkType) number() (uint32, bool) {
	switch l {
	case LinkTypeEthernet:
		return uint32(pcapEthernet), true
	case LinkTypeRaw:
		return uint32(pcapRaw), true
	case LinkTypeSLL:
		return uint32(pcapSLL), true
	case LinkTypeSLL2:
		return uint32(pcapSLL2), true
	case LinkTypeNull:
		return uint32(pcapNull), true
	case LinkTypeLoop:
		return uint32(pcapLoop), true
	}
	return 0, false
}

// WriterOptions configures a Writer.
type WriterOptions struct {
	// Link selects the link-layer framing. The zero value is Ethernet.
	Link LinkType
	// Snaplen, if positive, cuts every frame to that many bytes, as
	// `tcpdump -s` does: the records then have captured length < wire
	// length. Zero means no limit (262144, libpcap's maximum).
	Snaplen int
	// Nanoseconds writes a nanosecond-resolution classic pcap. pcapng always
	// keeps nanoseconds; classic pcap defaults to microseconds.
	Nanoseconds bool
}

// Frame layout constants for the Writer.
const (
	maxSnaplen      = 262144
	ipv4HeaderLen   = 20
	ipv6HeaderLen   = 40
	tcpHeaderLen    = 20
	tcpMSSOptionLen = 4
	writerMSS       = 1460
	defaultTTL      = 64
	ipProtoTCP      = 6
)

// Synthetic, locally administered MAC addresses.
var (
	macClient = [6]byte{0x02, 0, 0, 0, 0, 0x01}
	macServer = [6]byte{0x02, 0, 0, 0, 0, 0x02}
)

// Writer writes TCP packets to a pcap or pcapng stream. It buffers at most
// one frame plus a bufio buffer: call Flush or Close at the end. It is not
// safe for concurrent use.
type Writer struct {
	opts WriterOptions
	bw   *bufio.Writer      // classic pcap
	ng   *pcapfile.NgWriter // pcapng
	rec  [16]byte           // a pcap record header
	buf  []byte
	ipID uint16
	err  error
}

// NewWriter writes the file header to w and returns a Writer.
func NewWriter(w io.Writer, f Format, opts WriterOptions) (*Writer, error) {
	lt, ok := opts.Link.number()
	if !ok {
		return nil, fmt.Errorf("capture: unknown writer link %d", opts.Link)
	}
	if opts.Snaplen < 0 || opts.Snaplen > maxSnaplen {
		return nil, fmt.Errorf("capture: snaplen %d out of range", opts.Snaplen)
	}
	snap := uint32(opts.Snaplen)
	if snap == 0 {
		snap = maxSnaplen
	}
	wr := &Writer{opts: opts}
	switch f {
	case FormatPcap:
		magic := magicPcapMicros
		if opts.Nanoseconds {
			magic = magicPcapNanos
		}
		var h []byte
		h = binary.LittleEndian.AppendUint32(h, magic)
		h = binary.LittleEndian.AppendUint16(h, 2) // version 2.4
		h = binary.LittleEndian.AppendUint16(h, 4)
		h = append(h, make([]byte, 8)...) // time zone, accuracy
		h = binary.LittleEndian.AppendUint32(h, snap)
		h = binary.LittleEndian.AppendUint32(h, lt)
		wr.bw = bufio.NewWriterSize(w, 64<<10)
		if _, err := wr.bw.Write(h); err != nil {
			return nil, fmt.Errorf("capture: writing pcap header: %w", err)
		}
	case FormatPcapng:
		// The file names wxaudit as the program that wrote it: a capture
		// is evidence, and its provenance should say so.
		ng, err := pcapfile.NewNgWriter(w, 4096, pcapfile.Section{Application: "wxaudit"},
			pcapfile.Interface{LinkType: uint16(lt), SnapLength: snap, Name: "wxaudit"})
		if err != nil {
			return nil, fmt.Errorf("capture: writing pcapng header: %w", err)
		}
		wr.ng = ng
	default:
		return nil, fmt.Errorf("capture: unknown format %v", f)
	}
	return wr, nil
}

// WritePacket writes p as one frame. Src and Dst must both be IPv4 or both
// IPv6 (IPv4-mapped IPv6 counts as IPv4). p.Frame and p.Truncated are
// ignored. A SYN gets an MSS option; other segments have no TCP options.
// A zero p.Time is written as the Unix epoch, so output is reproducible.
// p.Payload is not retained.
func (w *Writer) WritePacket(p Packet) error {
	if w.err != nil {
		return w.err
	}
	frame, err := w.build(p)
	if err != nil {
		return err // a bad packet does not break the stream
	}
	t, length := p.Time, len(frame)
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	if w.opts.Snaplen > 0 && len(frame) > w.opts.Snaplen {
		frame = frame[:w.opts.Snaplen]
	}
	if w.ng != nil {
		err = w.ng.WritePacket(t, frame, length)
	} else {
		err = w.writeRecord(t, frame, length)
	}
	if err != nil {
		w.err = fmt.Errorf("capture: writing packet: %w", err)
	}
	return w.err
}

// writeRecord writes one classic pcap record.
func (w *Writer) writeRecord(t time.Time, frame []byte, length int) error {
	frac := t.Nanosecond() / 1000
	if w.opts.Nanoseconds {
		frac = t.Nanosecond()
	}
	binary.LittleEndian.PutUint32(w.rec[0:], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(w.rec[4:], uint32(frac))
	binary.LittleEndian.PutUint32(w.rec[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(w.rec[12:], uint32(length))
	if _, err := w.bw.Write(w.rec[:]); err != nil {
		return err
	}
	_, err := w.bw.Write(frame)
	return err
}

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	var err error
	if w.bw != nil {
		err = w.bw.Flush()
	} else {
		err = w.ng.Flush()
	}
	if err != nil {
		w.err = fmt.Errorf("capture: flush: %w", err)
	}
	return w.err
}

// Close flushes the Writer. It does not close the underlying writer. Later
// writes fail.
func (w *Writer) Close() error {
	if err := w.Flush(); err != nil {
		return err
	}
	w.err = errors.New("capture: writer closed")
	return nil
}

// build encodes p into w.buf and returns the frame.
func (w *Writer) build(p Packet) ([]byte, error) {
	src, dst := p.Src.Addr().Unmap(), p.Dst.Addr().Unmap()
	if !src.IsValid() || !dst.IsValid() || src.Is4() != dst.Is4() {
		return nil, fmt.Errorf("capture: packet %v > %v: addresses must be of one family", p.Src, p.Dst)
	}
	v4 := src.Is4()
	tcpLen := tcpHeaderLen
	if p.Flags.Has(SYN) {
		tcpLen += tcpMSSOptionLen
	}
	segLen := tcpLen + len(p.Payload)
	if (v4 && ipv4HeaderLen+segLen > 0xffff) || (!v4 && segLen > 0xffff) {
		return nil, fmt.Errorf("capture: payload of %d bytes too long for one packet", len(p.Payload))
	}
	clientToServer := p.Src.Port() > p.Dst.Port()
	b := w.appendLink(w.buf[:0], v4, clientToServer)
	ipStart := len(b)

	// IP header.
	if v4 {
		w.ipID++
		b = append(b, 0x45, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(ipv4HeaderLen+segLen))
		b = binary.BigEndian.AppendUint16(b, w.ipID)
		b = append(b, 0x40, 0, defaultTTL, ipProtoTCP, 0, 0) // DF, no fragment offset
		a4, d4 := src.As4(), dst.As4()
		b = append(b, a4[:]...)
		b = append(b, d4[:]...)
		binary.BigEndian.PutUint16(b[ipStart+10:], ^fold(sum(0, b[ipStart:])))
	} else {
		b = append(b, 0x60, 0, 0, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(segLen))
		b = append(b, ipProtoTCP, defaultTTL)
		a16, d16 := src.As16(), dst.As16()
		b = append(b, a16[:]...)
		b = append(b, d16[:]...)
	}

	// TCP header.
	tcpStart := len(b)
	b = binary.BigEndian.AppendUint16(b, p.Src.Port())
	b = binary.BigEndian.AppendUint16(b, p.Dst.Port())
	b = binary.BigEndian.AppendUint32(b, p.Seq)
	b = binary.BigEndian.AppendUint32(b, p.Ack)
	b = append(b, byte(tcpLen/4)<<4, byte(p.Flags))
	b = binary.BigEndian.AppendUint16(b, p.Window)
	b = append(b, 0, 0, 0, 0) // checksum, urgent pointer
	if p.Flags.Has(SYN) {
		b = append(b, 2, tcpMSSOptionLen)
		b = binary.BigEndian.AppendUint16(b, writerMSS)
	}
	b = append(b, p.Payload...)

	// TCP checksum over the pseudo-header (RFC 9293 3.1, RFC 8200 8.1).
	var s uint32
	if v4 {
		s = sum(s, b[ipStart+12:ipStart+20])
	} else {
		s = sum(s, b[ipStart+8:ipStart+40])
	}
	s += ipProtoTCP + uint32(segLen)
	s = sum(s, b[tcpStart:])
	binary.BigEndian.PutUint16(b[tcpStart+16:], ^fold(s))
	w.buf = b
	return b, nil
}

// appendLink appends the link-layer header for an IP packet.
func (w *Writer) appendLink(b []byte, v4, clientToServer bool) []byte {
	et := uint16(etherTypeIPv6)
	fam := uint32(24) // BSD AF_INET6, which Wireshark reads on null/loop
	if v4 {
		et, fam = etherTypeIPv4, 2
	}
	smac, dmac := macClient, macServer
	var pktType byte = 4 // outgoing
	if !clientToServer {
		smac, dmac, pktType = macServer, macClient, 0 // to us
	}
	switch w.opts.Link {
	case LinkTypeEthernet:
		b = append(b, dmac[:]...)
		b = append(b, smac[:]...)
		b = binary.BigEndian.AppendUint16(b, et)
	case LinkTypeSLL:
		b = append(b, 0, pktType, 0, 1, 0, 6) // packet type, ARPHRD_ETHER, address length
		b = append(b, smac[:]...)
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint16(b, et)
	case LinkTypeSLL2:
		b = binary.BigEndian.AppendUint16(b, et)
		b = append(b, 0, 0, 0, 0, 0, 1, 0, 1, pktType, 6) // reserved, ifindex 1, ARPHRD_ETHER, type, addr len
		b = append(b, smac[:]...)
		b = append(b, 0, 0)
	case LinkTypeNull:
		b = binary.LittleEndian.AppendUint32(b, fam)
	case LinkTypeLoop:
		b = binary.BigEndian.AppendUint32(b, fam)
	}
	return b
}

// sum adds b to an Internet checksum accumulator (RFC 1071).
func sum(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// fold folds the carries of an Internet checksum accumulator.
func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}
