package capture

// This file reads classic pcap (libpcap's savefile format, see
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): a 24-byte
// file header, then records of a 16-byte header and the frame.

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// eagerSnaplen is libpcap's largest snapshot length. Records up to it are
// accepted whatever the file header says, as tcpdump and Wireshark do for
// writers that declare a snap length and exceed it.
const eagerSnaplen = 262144

// pcapState is what a classic pcap file header says.
type pcapState struct {
	order   byteOrder
	nanos   int64 // nanoseconds per fraction unit: 1000 (µs magic) or 1 (ns magic)
	snaplen uint32
	link    linkType
}

// readHeader reads the file header, whose magic NewReader recognised.
func (s *pcapState) readHeader(in *input) error {
	h, err := in.take(24)
	if err != nil {
		return err
	}
	switch magic := binary.LittleEndian.Uint32(h); magic {
	case magicPcapMicros, magicPcapNanos:
	default:
		s.order = bigEndian
	}
	s.nanos = 1000
	if s.order.u32(h) == magicPcapNanos {
		s.nanos = 1
	}
	major, minor := s.order.u16(h[4:6]), s.order.u16(h[6:8])
	if major != 2 || minor != 4 {
		return fmt.Errorf("unknown version %d.%d", major, minor)
	}
	s.snaplen = min(s.order.u32(h[16:20]), MaxRecordSize) // longer records are an error, not an allocation
	// The upper 16 bits carry FCS and reserved flags, not the link type.
	s.link = linkType(s.order.u32(h[20:24]))
	return nil
}

// next reads one record into rec. It returns io.EOF at the end of the file.
func (s *pcapState) next(in *input, rec *record) error {
	h, err := in.take(16)
	if err != nil {
		return err
	}
	sec, frac := s.order.u32(h[0:4]), s.order.u32(h[4:8])
	caplen, length := s.order.u32(h[8:12]), s.order.u32(h[12:16])
	if caplen > max(s.snaplen, eagerSnaplen) {
		return fmt.Errorf("capture length exceeds snap length: %d > %d", caplen, s.snaplen)
	}
	if caplen > length {
		return fmt.Errorf("capture length exceeds original packet length: %d > %d", caplen, length)
	}
	data, err := in.take(int(caplen))
	if err != nil {
		return unexpected(err)
	}
	*rec = record{
		data:      data,
		link:      s.link,
		time:      time.Unix(int64(sec), int64(frac)*s.nanos).UTC(),
		truncated: caplen < length,
	}
	return nil
}

// unexpected turns an EOF inside a record into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
