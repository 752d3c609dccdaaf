package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// samplePackets is a tiny IPv4 + IPv6 conversation with every flag used.
func samplePackets() []Packet {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)
	c4 := netip.MustParseAddrPort("10.0.0.2:40000")
	s4 := netip.MustParseAddrPort("203.0.113.7:443")
	c6 := netip.MustParseAddrPort("[2001:db8::2]:40001")
	s6 := netip.MustParseAddrPort("[2001:db8::80]:8080")
	return []Packet{
		{Time: t0, Src: c4, Dst: s4, Seq: 1000, Flags: SYN, Window: 65535},
		{Time: t0.Add(time.Millisecond), Src: s4, Dst: c4, Seq: 5000, Ack: 1001, Flags: SYN | ACK, Window: 65535},
		{Time: t0.Add(2 * time.Millisecond), Src: c4, Dst: s4, Seq: 1001, Ack: 5001, Flags: ACK | PSH, Window: 512, Payload: []byte("hello")},
		{Time: t0.Add(3 * time.Millisecond), Src: s4, Dst: c4, Seq: 5001, Ack: 1006, Flags: ACK | PSH, Window: 512, Payload: []byte("world!")},
		{Time: t0.Add(4 * time.Millisecond), Src: c6, Dst: s6, Seq: 0xfffffffe, Ack: 7, Flags: ACK | PSH, Window: 100, Payload: []byte{0x16, 0xf1, 0x04, 0x00, 0x01, 0x02, 0x03}},
		{Time: t0.Add(5 * time.Millisecond), Src: c4, Dst: s4, Seq: 1006, Ack: 5007, Flags: FIN | ACK, Window: 512},
		{Time: t0.Add(6 * time.Millisecond), Src: s4, Dst: c4, Seq: 5007, Flags: RST},
	}
}

// writeCapture encodes pkts with a Writer.
func writeCapture(t testing.TB, f Format, opts WriterOptions, pkts []Packet) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		if err := w.WritePacket(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// swapPcap converts a little-endian classic pcap to big-endian.
func swapPcap(t testing.TB, in []byte) []byte {
	t.Helper()
	out := bytes.Clone(in)
	swap32 := func(off int) {
		binary.BigEndian.PutUint32(out[off:], binary.LittleEndian.Uint32(in[off:]))
	}
	swap16 := func(off int) {
		binary.BigEndian.PutUint16(out[off:], binary.LittleEndian.Uint16(in[off:]))
	}
	swap32(0)
	swap16(4)
	swap16(6)
	for _, off := range []int{8, 12, 16, 20} {
		swap32(off)
	}
	for off := 24; off < len(in); {
		if off+16 > len(in) {
			t.Fatal("swapPcap: partial record")
		}
		caplen := int(binary.LittleEndian.Uint32(in[off+8:]))
		for i := 0; i < 16; i += 4 {
			swap32(off + i)
		}
		off += 16 + caplen
	}
	return out
}

// rawPcap builds a little-endian microsecond pcap from raw frames.
func rawPcap(linkType uint32, frames ...[]byte) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, magicPcapMicros)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, linkType)
	for i, f := range frames {
		b = binary.LittleEndian.AppendUint32(b, uint32(1700000000+i))
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

// readAll reads every packet (payloads copied) and the final error.
func readAll(t testing.TB, in []byte) (*Reader, []Packet, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	var pkts []Packet
	for {
		p, err := r.Next()
		if err == io.EOF {
			return r, pkts, nil
		}
		if err != nil {
			return r, pkts, err
		}
		p.Payload = bytes.Clone(p.Payload)
		pkts = append(pkts, p)
	}
}

// summary is the golden form of a capture: header facts, packets, stats.
func summary(r *Reader, pkts []Packet, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "format=%s linktype=%s\n", r.Format(), r.LinkType())
	for _, p := range pkts {
		fmt.Fprintf(&b, "%s payload=%x\n", p, p.Payload)
	}
	fmt.Fprintf(&b, "stats: %s\n", r.Stats())
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	return b.String()
}

// checkGolden compares got with testdata/name.golden, rewriting it with -update.
func checkGolden(t *testing.T, name, header, got string) {
	t.Helper()
	got = header + "\n" + got
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestRoundTrip(t *testing.T) {
	links := []struct {
		name string
		link LinkType
	}{
		{"ethernet", LinkTypeEthernet}, {"raw", LinkTypeRaw}, {"sll", LinkTypeSLL},
		{"sll2", LinkTypeSLL2}, {"null", LinkTypeNull}, {"loop", LinkTypeLoop},
	}
	variants := []struct {
		name   string
		format Format
		nanos  bool
		big    bool
	}{
		{"pcap-le-us", FormatPcap, false, false},
		{"pcap-be-us", FormatPcap, false, true},
		{"pcap-le-ns", FormatPcap, true, false},
		{"pcap-be-ns", FormatPcap, true, true},
		{"pcapng", FormatPcapng, false, false},
	}
	want := samplePackets()
	for _, l := range links {
		for _, v := range variants {
			name := l.name + "-" + v.name
			t.Run(name, func(t *testing.T) {
				in := writeCapture(t, v.format, WriterOptions{Link: l.link, Nanoseconds: v.nanos}, want)
				if v.big {
					in = swapPcap(t, in)
				}
				r, got, err := readAll(t, in)
				if err != nil {
					t.Fatal(err)
				}
				if r.Format() != v.format {
					t.Errorf("format %v, want %v", r.Format(), v.format)
				}
				if len(got) != len(want) {
					t.Fatalf("got %d packets, want %d", len(got), len(want))
				}
				for i := range want {
					w := want[i]
					w.Frame = int64(i + 1)
					if v.format == FormatPcap && !v.nanos {
						w.Time = w.Time.Truncate(time.Microsecond)
					}
					if w.Payload == nil {
						w.Payload = []byte{}
					}
					if diff := cmp.Diff(w, got[i], cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }), cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
						t.Errorf("packet %d (-want +got):\n%s", i, diff)
					}
				}
				if s := r.Stats(); s.Frames != int64(len(want)) || s.TCPPackets != int64(len(want)) || len(s.Skipped) != 0 {
					t.Errorf("stats %v", s)
				}
				if v.name == "pcap-le-us" || v.name == "pcapng" {
					checkGolden(t, name, fmt.Sprintf("# writer link=%s format=%s", l.name, v.format), summary(r, got, nil))
				}
			})
		}
	}
}

// Frame builders for the decode table.
func ethFrame(et uint16, payload []byte) []byte {
	b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}
	b = binary.BigEndian.AppendUint16(b, et)
	return append(b, payload...)
}

// ipv4TCP returns an IPv4+TCP packet taken from the Writer with raw framing.
func ipv4TCP(t testing.TB, payload string) []byte {
	return rawIP(t, Packet{Src: netip.MustParseAddrPort("10.1.1.1:5555"), Dst: netip.MustParseAddrPort("10.2.2.2:443"), Seq: 9, Ack: 3, Flags: ACK | PSH, Window: 10, Payload: []byte(payload)})
}

func rawIP(t testing.TB, p Packet) []byte {
	in := writeCapture(t, FormatPcap, WriterOptions{Link: LinkTypeRaw}, []Packet{p})
	return in[24+16:]
}

func TestDecode(t *testing.T) {
	tcp4 := ipv4TCP(t, "abc")
	udp4 := bytes.Clone(tcp4)
	udp4[9] = 17
	frag := bytes.Clone(tcp4)
	frag[6] = 0x20 // more fragments
	badTCP := bytes.Clone(tcp4)
	badTCP[20+12] = 0x30 // data offset 3
	tcp6 := rawIP(t, Packet{Src: netip.MustParseAddrPort("[2001:db8::1]:5555"), Dst: netip.MustParseAddrPort("[2001:db8::2]:443"), Flags: ACK, Payload: []byte("v6")})
	// Insert a Destination Options extension header (8 bytes) before TCP.
	ext6 := append(bytes.Clone(tcp6[:40]), 6, 0, 1, 4, 0, 0, 0, 0)
	ext6 = append(ext6, tcp6[40:]...)
	ext6[6] = 60
	binary.BigEndian.PutUint16(ext6[4:], uint16(len(ext6)-40))
	frag6 := bytes.Clone(ext6)
	frag6[6] = 44
	vlan := append([]byte{0, 5}, binary.BigEndian.AppendUint16(nil, etherTypeIPv4)...)
	sll2 := append(binary.BigEndian.AppendUint16(nil, etherTypeIPv6), make([]byte, 18)...)

	tests := []struct {
		name     string
		linkType uint32
		frame    []byte
		want     string // "" = TCP packet, else the skip reason
	}{
		{"ethernet tcp", 1, ethFrame(etherTypeIPv4, tcp4), ""},
		{"ethernet vlan", 1, ethFrame(etherTypeVLAN, append(vlan, tcp4...)), ""},
		{"ethernet qinq", 1, ethFrame(etherTypeQinQ, append([]byte{0, 1, 0x81, 0}, append(vlan, tcp4...)...)), ""},
		{"ethernet padding", 1, ethFrame(etherTypeIPv4, append(bytes.Clone(tcp4), 0, 0, 0, 0)), ""},
		{"ethernet arp", 1, ethFrame(etherTypeARP, make([]byte, 28)), "arp"},
		{"ethernet lldp", 1, ethFrame(0x88cc, make([]byte, 28)), "ethertype 0x88cc"},
		{"ethernet short", 1, make([]byte, 10), "truncated frame"},
		{"udp", 101, udp4, "udp"},
		{"ip fragment", 101, frag, "ip fragment"},
		{"bad tcp header", 101, badTCP, "bad tcp header"},
		{"ipv4 header cut", 101, tcp4[:30], "truncated frame"},
		{"raw12", 12, tcp4, ""},
		{"raw14 ipv6", 14, tcp6, ""},
		{"ipv6 ext header", 229, ext6, ""},
		{"ipv6 fragment", 101, frag6, "ip fragment"},
		{"bad ip version", 101, append([]byte{0x50}, tcp4[1:]...), "bad ip version"},
		{"sll2 ipv6", 276, append(sll2, tcp6...), ""},
		{"null big-endian", 0, append([]byte{0, 0, 0, 2}, tcp4...), ""},
		{"null unknown family", 0, append([]byte{7, 0, 0, 0}, tcp4...), "address family 7"},
		{"unsupported", 147, tcp4, "unsupported link type 147"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, pkts, err := readAll(t, rawPcap(tt.linkType, tt.frame))
			if err != nil {
				t.Fatal(err)
			}
			s := r.Stats()
			if tt.want == "" {
				if len(pkts) != 1 {
					t.Fatalf("got %d packets, stats %v", len(pkts), s)
				}
				if len(pkts[0].Payload) == 0 || pkts[0].Truncated {
					t.Errorf("packet %v", pkts[0])
				}
				return
			}
			if len(pkts) != 0 || s.Skipped[tt.want] != 1 {
				t.Errorf("got %d packets, stats %v; want skip %q", len(pkts), s, tt.want)
			}
		})
	}
}

func TestSnapped(t *testing.T) {
	pkts := samplePackets()
	in := writeCapture(t, FormatPcapng, WriterOptions{Snaplen: 14 + 20 + 20 + 2}, pkts)
	r, got, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	s := r.Stats()
	// The IPv6 packet and the two SYNs (MSS option) lose part of their TCP
	// header to the snaplen; the two IPv4 data packets are cut to 2 bytes.
	if s.Skipped["truncated frame"] != 3 || s.Snapped != 2 || len(got) != 4 {
		t.Fatalf("stats %v, %d packets", s, len(got))
	}
	for _, p := range got {
		if len(p.Payload) > 0 && (!p.Truncated || len(p.Payload) != 2) {
			t.Errorf("packet %v", p)
		}
	}
	checkGolden(t, "snapped", "# writer link=ethernet format=pcapng snaplen=56", summary(r, got, nil))
}

// TestTruncatedFile cuts a valid capture at every byte: each prefix reads
// the complete packets before the cut and then io.EOF (cut at a record
// boundary) or an error wrapping io.ErrUnexpectedEOF, never more.
func TestTruncatedFile(t *testing.T) {
	for _, f := range []Format{FormatPcap, FormatPcapng} {
		full := writeCapture(t, f, WriterOptions{}, samplePackets())
		_, all, err := readAll(t, full)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(full); n++ {
			r, got, err := readAll(t, full[:n])
			if r == nil {
				if err == nil {
					t.Fatalf("%v prefix %d: no reader and no error", f, n)
				}
				continue
			}
			if len(got) > len(all) {
				t.Fatalf("%v prefix %d: %d packets", f, n, len(got))
			}
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%v prefix %d: error %v, want io.ErrUnexpectedEOF", f, n, err)
			}
			var pe *ParseError
			if err != nil && (!errors.As(err, &pe) || pe.Frame != int64(len(got)+1)) {
				t.Errorf("%v prefix %d: error %v after %d packets", f, n, err, len(got))
			}
			// Sticky error.
			if _, err2 := r.Next(); err != nil && err2 != err {
				t.Errorf("%v prefix %d: second Next returned %v, want %v", f, n, err2, err)
			}
		}
		r, got, err := readAll(t, full[:len(full)-3])
		if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != len(all)-1 {
			t.Errorf("%v: last record cut: %d packets, err %v", f, len(got), err)
		}
		if r != nil && f == FormatPcap {
			checkGolden(t, "truncated-"+f.String(), "# writer link=ethernet format="+f.String()+" cut=3", summary(r, got, err))
		}
	}
}

func TestGarbage(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"text", []byte("GET / HTTP/1.1\r\n\r\n"), ErrUnknownFormat},
		{"zeros", make([]byte, 100), ErrUnknownFormat},
		{"short", []byte{0xd4, 0xc3}, io.ErrUnexpectedEOF},
		{"pcap header cut", rawPcap(1)[:20], io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.in))
			if r != nil || !errors.Is(err, tt.want) {
				t.Errorf("got %v, %v; want error %v", r, err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "capture: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	if _, err := NewReader(bytes.NewReader(nil)); err == nil {
		t.Error("empty input: no error")
	}
}

// TestNonSeekable reads from a pipe-like reader that returns one byte at a time.
func TestNonSeekable(t *testing.T) {
	in := writeCapture(t, FormatPcapng, WriterOptions{Link: LinkTypeSLL2}, samplePackets())
	r, err := NewReader(io.MultiReader(oneByteReader{bytes.NewReader(in)}))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != len(samplePackets()) {
		t.Errorf("got %d packets", n)
	}
}

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestFlagsString(t *testing.T) {
	tests := []struct {
		f    TCPFlags
		want string
	}{
		{0, "none"}, {SYN, "SYN"}, {SYN | ACK, "SYN|ACK"}, {FIN | PSH | ACK, "FIN|PSH|ACK"}, {0xff, "FIN|SYN|RST|PSH|ACK|URG|ECE|CWR"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%#x: got %q, want %q", uint8(tt.f), got, tt.want)
		}
	}
	if got := Format(9).String(); got != "format(9)" {
		t.Errorf("got %q", got)
	}
}

func TestWriterErrors(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, FormatPcap, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mixed := Packet{Src: netip.MustParseAddrPort("10.0.0.1:1"), Dst: netip.MustParseAddrPort("[::1]:2")}
	if err := w.WritePacket(mixed); err == nil {
		t.Error("mixed families: no error")
	}
	big := Packet{Src: netip.MustParseAddrPort("10.0.0.1:1"), Dst: netip.MustParseAddrPort("10.0.0.2:2"), Payload: make([]byte, 70000)}
	if err := w.WritePacket(big); err == nil {
		t.Error("oversized payload: no error")
	}
	if _, err := NewWriter(&buf, Format(7), WriterOptions{}); err == nil {
		t.Error("bad format: no error")
	}
	if _, err := NewWriter(&buf, FormatPcap, WriterOptions{Link: 99}); err == nil {
		t.Error("bad link: no error")
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{FormatPcap, FormatPcapng} {
		if got, err := ParseFormat(f.String()); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("erf"); err == nil {
		t.Error("ParseFormat(erf) succeeded")
	}
}
