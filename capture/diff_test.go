package capture

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
	"time"
)

// readAllWith reads every packet (payloads copied) through next.
func readAllWith(next func() (Packet, error)) ([]Packet, error) {
	var pkts []Packet
	for {
		p, err := next()
		if err == io.EOF {
			return pkts, nil
		}
		if err != nil {
			return pkts, err
		}
		p.Payload = bytes.Clone(p.Payload)
		pkts = append(pkts, p)
	}
}

// samePacket compares two packets; the times only when exact says the
// reference converted them exactly.
func samePacket(t *testing.T, i int, got, want Packet, format Format, inexact bool) {
	t.Helper()
	gt, wt := got.Time, want.Time
	got.Time, want.Time = time.Time{}, time.Time{}
	if got.String() != want.String() || !bytes.Equal(got.Payload, want.Payload) {
		t.Fatalf("packet %d:\n got %v %x\nwant %v %x", i, got, got.Payload, want, want.Payload)
	}
	if gt.Equal(wt) {
		return
	}
	// pcapgo multiplied microseconds by 1000 in 32 bits; its pcapng
	// arithmetic rounded binary and very fine resolutions.
	d := gt.Sub(wt)
	if (format == FormatPcap && d > 0 && d%(1<<32) == 0) || (format == FormatPcapng && inexact) {
		return
	}
	t.Fatalf("packet %d: time %v, gopacket %v", i, gt, wt)
}

// compareWithGopacket reads in with Reader and with the reference reader
// built on gopacket, and checks that they agree: on a file the reference
// reads to its end, the same packets, counters and link type; on a file
// it rejects, an error too, after packets that agree with its own.
func compareWithGopacket(t *testing.T, in []byte) {
	ref, errRef := newRefReader(bytes.NewReader(in))
	r, err := NewReader(bytes.NewReader(in))
	if err != nil {
		// The reference checked pcapng framing as its reads went past, so
		// it may report a corrupt first block only at the first Next.
		var ce *CorruptError
		if errRef == nil && errors.As(err, &ce) {
			if _, errRef = readAllWith(ref.Next); errRef != nil {
				return
			}
		}
		if errRef == nil {
			t.Fatalf("NewReader: %v, gopacket read the header", err)
		}
		return
	}
	if errRef != nil {
		t.Fatalf("NewReader: no error, gopacket: %v", errRef)
	}
	want, errRef := readAllWith(ref.Next)
	got, err := readAllWith(r.Next)
	inexact := r.ng != nil && r.ng.inexact
	n := min(len(got), len(want))
	for i := range n {
		samePacket(t, i, got[i], want[i], r.Format(), inexact)
	}
	if errRef == nil {
		// pcapgo took a gzip stream cut between two pcapng blocks for the
		// end of the file.
		if len(got) == len(want) && errors.Is(err, io.ErrUnexpectedEOF) && r.Format() == FormatPcapng && bytes.HasPrefix(in, []byte{magicGzip0, magicGzip1}) {
			return
		}
		if err != nil || len(got) != len(want) {
			t.Fatalf("%d packets, error %v; gopacket read %d packets to the end (input %x)", len(got), err, len(want), in)
		}
		if s, sRef := asRefStats(r.Stats()).String(), ref.Stats().String(); s != sRef {
			t.Fatalf("stats %s, gopacket %s", s, sRef)
		}
		if lt, ltRef := r.LinkType(), ref.LinkType(); lt != ltRef {
			t.Fatalf("link type %s, gopacket %s", lt, ltRef)
		}
		return
	}
	if err == nil {
		t.Fatalf("read to the end (%d packets); gopacket: %v after %d packets", len(got), errRef, len(want))
	}
}

// diffSeeds are captures of every kind the reader handles.
func diffSeeds(t testing.TB) [][]byte {
	pkts := samplePackets()
	var seeds [][]byte
	for _, link := range []LinkType{LinkTypeEthernet, LinkTypeRaw, LinkTypeSLL, LinkTypeSLL2, LinkTypeNull, LinkTypeLoop} {
		seeds = append(seeds,
			writeCapture(t, FormatPcap, WriterOptions{Link: link}, pkts),
			writeCapture(t, FormatPcapng, WriterOptions{Link: link, Snaplen: 60}, pkts))
	}
	seeds = append(seeds,
		swapPcap(t, writeCapture(t, FormatPcap, WriterOptions{Nanoseconds: true}, pkts[:3])),
		rawPcap(147, []byte{1, 2, 3}),
		gzipBytes(writeCapture(t, FormatPcapng, WriterOptions{}, pkts[:3])),
		ngMixed(t, false),
		ngMixed(t, true),
	)
	return seeds
}

func TestReaderMatchesGopacket(t *testing.T) {
	for i, in := range diffSeeds(t) {
		if _, _, err := readAll(t, in); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		compareWithGopacket(t, in)
		// Every cut of the file, and every byte flipped once.
		for cut := range len(in) {
			compareWithGopacket(t, in[:cut])
			if cut < 4 {
				continue
			}
			if _, _, err := readAll(t, in[:cut]); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("seed %d cut at %d: %v, want a truncation", i, cut, err)
			}
		}
		for at := range len(in) {
			bad := slices.Clone(in)
			bad[at] ^= 0x55
			compareWithGopacket(t, bad)
		}
	}
}

// FuzzPcapMatchesGopacket and FuzzPcapngMatchesGopacket feed the same
// bytes to Reader and to the reader this package had on gopacket's pcapgo
// and layers.
func FuzzPcapMatchesGopacket(f *testing.F) { fuzzMatchesGopacket(f, FormatPcap) }

func FuzzPcapngMatchesGopacket(f *testing.F) { fuzzMatchesGopacket(f, FormatPcapng) }

func fuzzMatchesGopacket(f *testing.F, format Format) {
	for _, in := range diffSeeds(f) {
		if r, err := NewReader(bytes.NewReader(in)); err == nil && r.Format() == format {
			f.Add(in)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			t.Skip("oversized")
		}
		compareWithGopacket(t, in)
	})
}

// FuzzDecodeMatchesGopacket decodes one frame of each link type with the
// hand-written IP and TCP decoders and with gopacket's.
func FuzzDecodeMatchesGopacket(f *testing.F) {
	for _, p := range samplePackets() {
		f.Add(uint16(pcapRaw), rawIP(f, p))
	}
	f.Add(uint16(pcapEthernet), ethFrame(etherTypeIPv6, rawIP(f, samplePackets()[4])))
	// IPv6 with a hop-by-hop jumbogram header, then a destination header.
	v6 := rawIP(f, samplePackets()[4])
	jumbo := append(slices.Clone(v6[:40]), 60, 0, 0xc2, 4, 0, 1, 0, 0)
	jumbo = append(jumbo, 6, 0, 1, 4, 0, 0, 0, 0)
	jumbo = append(jumbo, v6[40:]...)
	jumbo[4], jumbo[5], jumbo[6] = 0, 0, protoHopByHop
	f.Add(uint16(pcapRaw), jumbo)
	// IPv4 with options: no-operation, a 4-byte option, end of options.
	v4 := rawIP(f, samplePackets()[2])
	opts := append(slices.Clone(v4[:20]), 1, 0x44, 4, 5, 0, 0, 0, 0)
	opts[0] = 0x47
	f.Add(uint16(pcapRaw), append(opts, v4[20:]...))
	// Every other link layer, with an address length gopacket rejects
	// (SLL and SLL2), both byte orders of a null family, and a VLAN tag.
	sll := append(make([]byte, 16), v4...)
	sll[5], sll[14] = 9, 0x08
	f.Add(uint16(pcapSLL), sll)
	sll2 := append(make([]byte, 20), v4...)
	sll2[0], sll2[11] = 0x08, 6
	f.Add(uint16(pcapSLL2), sll2)
	f.Add(uint16(pcapNull), append([]byte{2, 0, 0, 0}, v4...))
	f.Add(uint16(pcapNull), append([]byte{0, 0, 0, 30}, rawIP(f, samplePackets()[4])...))
	f.Add(uint16(pcapLoop), append([]byte{0, 0, 0, 2}, v4...))
	f.Add(uint16(pcapLoop), append([]byte{2, 0, 0, 0}, v4...))
	f.Add(uint16(pcapEthernet), ethFrame(etherTypeVLAN, append([]byte{0, 1, 0x08, 0}, v4...)))
	f.Add(uint16(pcapEthernet), ethFrame(etherTypeQinQ, append([]byte{0, 1, 0x81, 0, 0, 2, 0x08, 0}, v4...)))
	f.Add(uint16(pcapEthernet), ethFrame(etherTypeARP, make([]byte, 28)))
	f.Fuzz(func(t *testing.T, lt uint16, frame []byte) {
		var ref refReader
		var got, want Packet
		reason := asRefReason(decode(frame, linkType(lt), &got))
		refReason := ref.decode(frame, linkType(lt), &want)
		if reason != refReason {
			t.Fatalf("skip reason %q, gopacket %q", reason, refReason)
		}
		if reason == "" && (got.String() != want.String() || !bytes.Equal(got.Payload, want.Payload)) {
			t.Fatalf("got %v %x\nwant %v %x", got, got.Payload, want, want.Payload)
		}
	})
}

func TestNextDoesNotAllocate(t *testing.T) {
	base := samplePackets()
	var pkts []Packet
	for i := range 300 {
		p := base[2+i%3] // IPv4 and IPv6 with payloads
		p.Seq += uint32(i)
		pkts = append(pkts, p)
	}
	for _, f := range []Format{FormatPcap, FormatPcapng} {
		r, err := NewReader(bytes.NewReader(writeCapture(t, f, WriterOptions{}, pkts)))
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(200, func() {
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v: %.1f allocations per packet", f, allocs)
		}
	}
}

func TestWriterMatchesGopacket(t *testing.T) {
	pkts := samplePackets()
	for _, f := range []Format{FormatPcap, FormatPcapng} {
		for _, link := range []LinkType{LinkTypeEthernet, LinkTypeRaw, LinkTypeSLL, LinkTypeSLL2, LinkTypeNull, LinkTypeLoop} {
			for _, opts := range []WriterOptions{{Link: link}, {Link: link, Snaplen: 50}, {Link: link, Nanoseconds: true}} {
				got := writeCapture(t, f, opts, pkts)
				if want := rewriteWithPcapgo(t, got, f, opts); !bytes.Equal(got, want) {
					t.Errorf("%v %+v:\n got %x\nwant %x", f, opts, got, want)
				}
			}
		}
	}
}
