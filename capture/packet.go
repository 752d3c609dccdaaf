package capture

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Packet is one TCP segment read from a capture.
type Packet struct {
	// Frame is the 1-based number of the record in the file, counting every
	// frame (TCP or not), as Wireshark numbers them.
	Frame int64
	// Time is the capture timestamp.
	Time time.Time
	// Src and Dst are the IP addresses and TCP ports.
	Src, Dst netip.AddrPort
	// Seq, Ack, Flags and Window are the TCP header fields.
	Seq, Ack uint32
	Flags    TCPFlags
	Window   uint16
	// Payload is the TCP payload as captured. When read by Reader.Next it
	// aliases the reader's buffer: it is valid until the next call to Next;
	// copy it to keep it.
	Payload []byte
	// Truncated reports that the frame was cut short when captured (captured
	// length below wire length, e.g. tcpdump -s): Payload holds fewer bytes
	// than the segment carried.
	Truncated bool
}

// String formats p on one line, Wireshark style, without the payload bytes.
func (p Packet) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s %s > %s [%s] seq=%d ack=%d win=%d len=%d",
		p.Frame, p.Time.UTC().Format(time.RFC3339Nano), p.Src, p.Dst, p.Flags, p.Seq, p.Ack, p.Window, len(p.Payload))
	if p.Truncated {
		b.WriteString(" truncated")
	}
	return b.String()
}

// TCPFlags holds the TCP header flag bits, in their wire positions.
type TCPFlags uint8

// TCP flag bits (RFC 9293, section 3.1).
const (
	FIN TCPFlags = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
	ECE
	CWR
)

var flagNames = [...]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"}

// Has reports whether all bits of g are set in f.
func (f TCPFlags) Has(g TCPFlags) bool { return f&g == g }

// String lists the set flags separated by "|", e.g. "SYN|ACK", or "none".
func (f TCPFlags) String() string {
	if f == 0 {
		return "none"
	}
	var b strings.Builder
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(name)
		}
	}
	return b.String()
}

// Format is a capture file format.
type Format uint8

// Capture file formats.
const (
	FormatPcap Format = iota + 1
	FormatPcapng
)

// String returns "pcap" or "pcapng", or "format(N)" for unknown values.
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapng:
		return "pcapng"
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// ParseFormat reads a format's name, "pcap" or "pcapng".
func ParseFormat(name string) (Format, error) {
	for _, f := range []Format{FormatPcap, FormatPcapng} {
		if f.String() == name {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown capture format %q (want pcapng or pcap)", name)
}

// Stats counts what a Reader saw.
type Stats struct {
	// Frames is the number of records read.
	Frames int64
	// TCPPackets is the number of packets returned by Next.
	TCPPackets int64
	// Snapped counts returned packets whose frame was cut short when
	// captured ("snapped payload"): Packet.Truncated is set on them.
	Snapped int64
	// Skipped counts the frames Next did not return, by reason: "udp",
	// "arp", "ip fragment", "truncated frame", "bad tcp header",
	// "unsupported link type 147", ... At most MaxSkipReasons reasons are
	// kept, the most frequent so far; the others' frames are counted
	// under OtherSkipReasons, so the map stays small whatever the
	// capture holds.
	Skipped map[string]int
}

// MaxSkipReasons bounds the distinct reasons Stats.Skipped keeps.
const MaxSkipReasons = 32

// OtherSkipReasons is the Stats.Skipped key counting the frames skipped
// for reasons not kept.
const OtherSkipReasons = "other reasons"

// skip counts one frame skipped for reason. When MaxSkipReasons reasons
// are kept, a new reason takes the place of the least frequent one, whose
// frames move to OtherSkipReasons: the frequent reasons stay, every frame
// stays counted, and the map's size is bounded.
func (s *Stats) skip(reason string) {
	kept := len(s.Skipped)
	if _, ok := s.Skipped[OtherSkipReasons]; ok {
		kept--
	}
	if _, ok := s.Skipped[reason]; ok || kept < MaxSkipReasons {
		s.Skipped[reason]++
		return
	}
	least, n := "", 0
	for k, v := range s.Skipped {
		if k != OtherSkipReasons && (least == "" || v < n || v == n && k < least) {
			least, n = k, v
		}
	}
	delete(s.Skipped, least)
	s.Skipped[OtherSkipReasons] += n
	s.Skipped[reason]++
}

// String formats s on one line with the skip reasons sorted.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "frames=%d tcp=%d", s.Frames, s.TCPPackets)
	if s.Snapped > 0 {
		fmt.Fprintf(&b, " snapped payload=%d", s.Snapped)
	}
	reasons := make([]string, 0, len(s.Skipped))
	for k := range s.Skipped {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		fmt.Fprintf(&b, " [%s]=%d", k, s.Skipped[k])
	}
	return b.String()
}
