package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wxaudit/wxaudit/internal/sniff"
)

// File magic numbers (pcap: libpcap savefile header; pcapng: Section Header
// Block type, which is a palindrome so byte order does not matter).
const (
	magicPcapMicros uint32 = 0xa1b2c3d4
	magicPcapNanos  uint32 = 0xa1b23c4d
	magicPcapng     uint32 = 0x0a0d0d0a
	magicGzip0             = 0x1f
	magicGzip1             = 0x8b
)

// ErrUnknownFormat is returned by NewReader when the input starts with no
// known capture magic number.
var ErrUnknownFormat = errors.New("capture: unknown capture format")

// ParseError reports a failure to read frame Frame (1-based) of a capture.
// Truncated files give a ParseError wrapping io.ErrUnexpectedEOF.
type ParseError struct {
	Frame int64
	Err   error
}

func (e *ParseError) Error() string { return fmt.Sprintf("capture: frame %d: %v", e.Frame, e.Err) }

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// packetSource is what pcapgo's two readers have in common.
type packetSource interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// Reader reads TCP packets from a pcap or pcapng stream.
//
// A Reader is not safe for concurrent use. Its first error is sticky: after
// Next fails, every later call returns the same error.
type Reader struct {
	format   Format
	src      packetSource
	ng       *pcapgo.NgReader // set for pcapng, whose link type is per interface
	guard    *ngGuard         // pcapng framing checks, see limits.go
	linkType layers.LinkType  // the file's (pcap only)

	frame int64
	err   error
	stats Stats

	// Decoders reused from frame to frame so in steady state Next does not
	// allocate.
	ip4 layers.IPv4
	ip6 layers.IPv6
	ext layers.IPv6ExtensionSkipper
	tcp layers.TCP
}

// NewReader reads the capture file header from r and returns a Reader. The
// format is recognised by its magic number. r is read sequentially and
// never seeked, so it may be a pipe. It returns an error wrapping
// ErrUnknownFormat for unrecognised input, and one wrapping
// io.ErrUnexpectedEOF when r ends inside the file header.
func NewReader(r io.Reader) (*Reader, error) {
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
	rd := &Reader{stats: Stats{Skipped: map[string]int{}}}
	le, be := binary.LittleEndian.Uint32(magic), binary.BigEndian.Uint32(magic)
	switch {
	case le == magicPcapMicros || be == magicPcapMicros || le == magicPcapNanos || be == magicPcapNanos:
		pr, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("capture: pcap file header: %w", headerErr(err))
		}
		if pr.Snaplen() > MaxRecordSize {
			pr.SetSnaplen(MaxRecordSize) // longer records are an error, not an allocation
		}
		rd.format, rd.src, rd.linkType = FormatPcap, pr, pr.LinkType()
	case le == magicPcapng:
		rd.guard = &ngGuard{r: br}
		nr, err := pcapgo.NewNgReader(rd.guard, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			return nil, fmt.Errorf("capture: pcapng section header: %w", headerErr(err))
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

// headerErr turns an EOF inside a file header into io.ErrUnexpectedEOF.
func headerErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Format returns the file format.
func (r *Reader) Format() Format { return r.format }

// LinkType names the link type of the file (pcap) or of its first interface
// (pcapng), e.g. "ethernet", "linux sll2", or "link type 147". A pcapng file
// describes its interfaces in blocks after the file header, so for pcapng
// LinkType is "unknown" until the first call to Next.
func (r *Reader) LinkType() string {
	if r.ng != nil {
		if r.ng.NInterfaces() == 0 {
			return "unknown"
		}
		intf, err := r.ng.Interface(0)
		if err != nil {
			return "unknown"
		}
		return linkTypeName(intf.LinkType)
	}
	return linkTypeName(r.linkType)
}

// Stats returns the counters so far. The Skipped map is a copy.
func (r *Reader) Stats() Stats {
	s := r.stats
	s.Skipped = maps.Clone(r.stats.Skipped)
	return s
}

// Next returns the next TCP packet. Frames that are not TCP, or cannot be
// decoded, are skipped and counted in Stats. At the end of the input Next
// returns io.EOF. If the input ends inside a record it returns a
// *ParseError wrapping io.ErrUnexpectedEOF, after all packets before it.
//
// The returned Payload aliases the Reader's buffer and is valid until the
// next call to Next; copy it to keep it.
func (r *Reader) Next() (Packet, error) {
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
		if reason := r.decode(data, lt, &p); reason != "" {
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
