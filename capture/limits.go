package capture

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Limits on what one capture may make the reader hold. pcapgo trusts the
// lengths a file states, so a hostile or corrupt file could make it
// allocate a whole 4 GiB record or keep millions of interface
// descriptions; these bound it, and a corrupt pcapng block is an error
// rather than a misparse that reads as a truncated file.
const (
	// MaxRecordSize bounds one pcap record and one pcapng block. tcpdump
	// and Wireshark cap snapshots at 256 KiB; 16 MiB leaves room for large
	// pcapng metadata blocks (decryption secrets, name resolution).
	MaxRecordSize = 16 << 20
	// MaxInterfaces bounds the pcapng Interface Description Blocks of a
	// file (a phone has a few dozen interfaces).
	MaxInterfaces = 4096
)

// pcapng block types the guard needs.
const (
	ngSectionHeader        = 0x0a0d0d0a
	ngInterfaceDescription = 0x00000001
	ngByteOrderMagic       = 0x1a2b3c4d
)

// CorruptError is a pcapng block whose framing is invalid: the reader
// stops there (everything before it was read) instead of misreading what
// follows.
type CorruptError struct {
	Offset int64 // of the block in the (inflated) file
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt pcapng block at byte %d: %s", e.Offset, e.Reason)
}

// ngGuard checks pcapng block framing as the bytes stream past on their way
// to pcapgo: each block's length is sane (a multiple of 4, at least 12,
// at most MaxRecordSize), its trailing copy of the length agrees, and the
// interface blocks are at most MaxInterfaces. It keeps no block, only a
// few counters.
type ngGuard struct {
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

func (g *ngGuard) Read(p []byte) (int, error) {
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

func (g *ngGuard) u32(b []byte) uint32 {
	if g.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (g *ngGuard) scan(b []byte) error {
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
func (g *ngGuard) header() error {
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
