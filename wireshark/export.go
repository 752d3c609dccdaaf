package wireshark

// This file writes decrypted payloads as a pcapng capture in Wireshark's
// exported-PDU link type (LINKTYPE_WIRESHARK_UPPER_PDU, 252): each packet
// is a list of tags (the dissector to call, the original addresses, ports
// and frame number) and then the PDU, here a wechat message (pdu.go) that
// mmtls.lua dissects. Wireshark writes the same link type for
// File > Export PDUs, so it opens these files natively.
//
// The pcapng blocks are written by internal/pcapfile (see there for why
// not gopacket's pcapgo).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/internal/pcapfile"
	"github.com/wxaudit/wxaudit/payload"
)

// linkTypeUpperPDU is LINKTYPE_WIRESHARK_UPPER_PDU.
const linkTypeUpperPDU = 252

// Exported-PDU tags (Wireshark's epan/exported_pdu.h), each u16 type | u16
// length | value, big-endian, the list ending with tagEndOfOptions.
const (
	tagEndOfOptions = 0
	tagProtoName    = 12 // the dissector to call, NUL-padded to 4 bytes
	tagIPv4Src      = 20
	tagIPv4Dst      = 21
	tagIPv6Src      = 22
	tagIPv6Dst      = 23
	tagPortType     = 24 // u32; 2 is TCP
	tagSrcPort      = 25 // u32
	tagDstPort      = 26 // u32
	tagOrigFrameNo  = 30 // u32: the frame in the original capture
	portTypeTCP     = 2
)

// ProtoName is the dissector the exported packets name: the wechat
// protocol of mmtls.lua. Without the script loaded Wireshark shows the
// packets as Exported PDU with their bytes.
const ProtoName = "wechat"

// MaxExportPacket is the largest packet written whole: Wireshark refuses
// larger packets of this link type (WTAP_MAX_PACKET_SIZE_STANDARD).
// Longer payloads are cut and the packet keeps its original length, as a
// capture with a snap length does.
const MaxExportPacket = 262144

// ExportWriter writes one exported-PDU packet per payload to a pcapng
// stream. It buffers at most one packet: call Close at the end. It is not
// safe for concurrent use.
type ExportWriter struct {
	opts      ExportOptions
	ng        *pcapfile.NgWriter
	buf       []byte
	packets   int
	truncated int
	err       error
}

// ExportOptions configures an ExportWriter.
type ExportOptions struct {
	// Catalog, if set, names the endpoint of payloads that carry a request
	// type but no path (Longlink), as `wxaudit decode` does: it learns the
	// paths the run's Shortlink envelopes give their types first. The
	// writer updates it.
	Catalog *catalog.Catalog
}

// NewExportWriter writes the pcapng section and interface headers to w.
func NewExportWriter(w io.Writer, opts ExportOptions) (*ExportWriter, error) {
	ng, err := pcapfile.NewNgWriter(w, 4096, pcapfile.Section{Application: "wxaudit"}, pcapfile.Interface{
		LinkType:    linkTypeUpperPDU,
		SnapLength:  MaxExportPacket,
		Name:        "wxaudit decrypt",
		Description: "decrypted WeChat payloads (one per packet)",
	})
	if err != nil {
		return nil, fmt.Errorf("wireshark: writing pcapng header: %w", err)
	}
	return &ExportWriter{opts: opts, ng: ng}, nil
}

// Payload implements decrypt.Sink: it writes p as one packet, timestamped
// with p.Time (the epoch when absent). p is not retained. The first write
// error is returned by every later call.
func (w *ExportWriter) Payload(p *payload.Payload) error {
	if w.err != nil {
		return w.err
	}
	m := PDU{Payload: *p}
	if c := w.opts.Catalog; c != nil {
		c.Observe(p.ReqType, p.URI)
		if p.URI == "" && p.ReqType > 0 {
			m.Endpoint = c.Path(p.ReqType)
		}
	}
	w.buf = AppendPacket(w.buf[:0], &m)
	data := w.buf
	if len(data) > MaxExportPacket {
		data = data[:MaxExportPacket]
		w.truncated++
	}
	if err := w.ng.WritePacket(packetTime(p.Time), data, len(w.buf)); err != nil {
		w.err = fmt.Errorf("wireshark: writing packet: %w", err)
		return w.err
	}
	w.packets++
	return nil
}

// Packets returns how many packets were written; Truncated how many of them
// were cut at MaxExportPacket bytes.
func (w *ExportWriter) Packets() int   { return w.packets }
func (w *ExportWriter) Truncated() int { return w.truncated }

// Close flushes the pcapng stream. It does not close the underlying
// writer. Later writes fail.
func (w *ExportWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if err := w.ng.Flush(); err != nil {
		w.err = fmt.Errorf("wireshark: flush: %w", err)
		return w.err
	}
	w.err = errors.New("wireshark: export writer closed")
	return nil
}

func packetTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	return time.Unix(0, 0)
}

// AppendPacket appends m as one exported-PDU packet (tags, then the wechat
// message of pdu.go) to b. The source is the client for a request and the
// server for a response; addresses that do not parse are left out.
func AppendPacket(b []byte, m *PDU) []byte {
	p := &m.Payload
	name := []byte(ProtoName)
	padded := (len(name) + 4) &^ 3 // at least one NUL, as Wireshark writes it
	b = appendTagHeader(b, tagProtoName, padded)
	b = append(b, name...)
	b = append(b, make([]byte, padded-len(name))...)

	if p.Conn != nil {
		src, errS := netip.ParseAddrPort(p.Conn.Client)
		dst, errD := netip.ParseAddrPort(p.Conn.Server)
		if p.Direction == payload.DirResponse {
			src, dst = dst, src
		}
		if errS == nil && errD == nil && src.Addr().Unmap().Is4() == dst.Addr().Unmap().Is4() {
			b = appendAddr(b, src.Addr(), tagIPv4Src, tagIPv6Src)
			b = appendAddr(b, dst.Addr(), tagIPv4Dst, tagIPv6Dst)
			b = appendU32Tag(b, tagPortType, portTypeTCP)
			b = appendU32Tag(b, tagSrcPort, uint32(src.Port()))
			b = appendU32Tag(b, tagDstPort, uint32(dst.Port()))
		}
	}
	if n := len(p.Frames); n > 0 && p.Frames[n-1] > 0 && p.Frames[n-1] <= 1<<32-1 {
		b = appendU32Tag(b, tagOrigFrameNo, uint32(p.Frames[n-1]))
	}
	b = appendTagHeader(b, tagEndOfOptions, 0)
	return AppendPDU(b, m)
}

func appendTagHeader(b []byte, tag uint16, n int) []byte {
	b = binary.BigEndian.AppendUint16(b, tag)
	return binary.BigEndian.AppendUint16(b, uint16(n))
}

func appendU32Tag(b []byte, tag uint16, v uint32) []byte {
	return binary.BigEndian.AppendUint32(appendTagHeader(b, tag, 4), v)
}

func appendAddr(b []byte, a netip.Addr, tag4, tag6 uint16) []byte {
	a = a.Unmap()
	if a.Is4() {
		v := a.As4()
		return append(appendTagHeader(b, tag4, 4), v[:]...)
	}
	v := a.As16()
	return append(appendTagHeader(b, tag6, 16), v[:]...)
}
