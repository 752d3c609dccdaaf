package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

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

// Reader reads TCP packets from a pcap or pcapng stream.
//
// A Reader is not safe for concurrent use. Its first error is sticky: after
// Next fails, every later call returns the same error.
//
// The file formats and the IP and TCP headers are parsed here by hand
// rather than with gopacket: merely linking gopacket/layers put 5 MB of
// pointer-holding tables in every wxaudit binary, which the garbage
// collector scans on each cycle (about 2,000 page faults and 30 ms of CPU
// per run, whatever the command), and a record is returned straight from
// the read buffer instead of being copied.
type Reader struct {
	format Format
	in     input
	pcap   pcapState    // classic pcap
	ng     *pcapngState // pcapng

	frame int64
	err   error
	stats Stats
}

// NewReader reads the capture file header from r and returns a Reader. The
// format is recognised by its magic number. r is read sequentially and
// never seeked, so it may be a pipe. It returns an error wrapping
// ErrUnknownFormat for unrecognised input, and one wrapping
// io.ErrUnexpectedEOF when r ends inside the file header.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, readBufferSize)
	head, _ := br.Peek(2)
	gz := len(head) == 2 && head[0] == magicGzip0 && head[1] == magicGzip1
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("capture: gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, readBufferSize)
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
	rd := &Reader{in: input{br: br}, stats: Stats{Skipped: map[string]int{}}}
	le, be := binary.LittleEndian.Uint32(magic), binary.BigEndian.Uint32(magic)
	switch {
	case le == magicPcapMicros || be == magicPcapMicros || le == magicPcapNanos || be == magicPcapNanos:
		if err := rd.pcap.readHeader(&rd.in); err != nil {
			return nil, fmt.Errorf("capture: pcap file header: %w", headerErr(err))
		}
		rd.format = FormatPcap
	case le == magicPcapng:
		rd.ng = &pcapngState{}
		if err := rd.ng.readFirstSection(&rd.in); err != nil {
			return nil, fmt.Errorf("capture: pcapng section header: %w", headerErr(err))
		}
		rd.format = FormatPcapng
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
		if len(r.ng.ifaces) == 0 {
			return "unknown"
		}
		return linkTypeName(r.ng.ifaces[0].link)
	}
	return linkTypeName(r.pcap.link)
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
		var rec record
		var err error
		if r.ng != nil {
			err = r.ng.next(&r.in, &rec)
		} else {
			err = r.pcap.next(&r.in, &rec)
		}
		if err != nil {
			if err != io.EOF {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					err = fmt.Errorf("truncated record: %w", err)
				}
				err = &ParseError{Frame: r.frame + 1, Err: err}
			}
			r.err = err
			return Packet{}, r.err
		}
		r.frame++
		r.stats.Frames++
		p := Packet{Frame: r.frame, Time: rec.time, Truncated: rec.truncated}
		if reason := decode(rec.data, rec.link, &p); reason != "" {
			r.stats.skip(reason)
			continue
		}
		r.stats.TCPPackets++
		if p.Truncated {
			r.stats.Snapped++
		}
		return p, nil
	}
}

// record is one captured frame as the file formats give it.
type record struct {
	data      []byte // aliases the input buffer until the next read
	link      linkType
	time      time.Time
	truncated bool // captured length below the length on the wire
}

// readBufferSize is the input buffer: records up to this size are returned
// from it without a copy.
const readBufferSize = 64 << 10

// input reads records from a buffered stream, returning slices of its
// buffer when they fit and of a growing copy when they do not.
type input struct {
	br  *bufio.Reader
	off int64  // bytes consumed
	big []byte // records longer than br's buffer
}

// take consumes the next n bytes and returns them; they stay valid until
// the next call. If the input ends first, it returns io.EOF when it ended
// before the first byte and io.ErrUnexpectedEOF after it.
func (in *input) take(n int) ([]byte, error) {
	if n <= in.br.Size() {
		b, err := in.br.Peek(n)
		if err != nil {
			if err == io.EOF && len(b) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		in.br.Discard(n)
		in.off += int64(n)
		return b, nil
	}
	// Grow with the bytes that arrive, not with the length the file
	// states: a short file cannot make the reader allocate MaxRecordSize.
	in.big = in.big[:0]
	for len(in.big) < n {
		if len(in.big) == cap(in.big) {
			in.big = slices.Grow(in.big, min(n-len(in.big), max(cap(in.big), readBufferSize)))
		}
		k, err := io.ReadFull(in.br, in.big[len(in.big):min(n, cap(in.big))])
		in.big = in.big[:len(in.big)+k]
		in.off += int64(k)
		if err != nil {
			if err == io.EOF && len(in.big) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return in.big, nil
}
