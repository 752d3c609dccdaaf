package capture

import (
	"bytes"
	"encoding/binary"
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
		if s, sRef := r.Stats().String(), ref.Stats().String(); s != sRef {
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

// ngMixed builds a pcapng of two sections (the first of an unknown
// version), two interfaces of different link types and resolutions, and
// enhanced, simple and obsolete packet blocks, statistics and name
// resolution blocks, in either byte order.
func ngMixed(t testing.TB, big bool) []byte {
	var o interface {
		binary.ByteOrder
		binary.AppendByteOrder
	} = binary.LittleEndian
	if big {
		o = binary.BigEndian
	}
	block := func(b []byte, typ uint32, body []byte) []byte {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		b = o.AppendUint32(b, typ)
		b = o.AppendUint32(b, uint32(12+len(body)))
		b = append(b, body...)
		return o.AppendUint32(b, uint32(12+len(body)))
	}
	opt := func(b []byte, code uint16, val []byte) []byte {
		b = o.AppendUint16(b, code)
		b = o.AppendUint16(b, uint16(len(val)))
		b = append(b, val...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	shb := func(b []byte, major uint16) []byte {
		body := o.AppendUint32(nil, ngByteOrderMagic)
		body = o.AppendUint16(body, major)
		body = o.AppendUint16(body, 0)
		body = append(body, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		body = opt(body, 4, []byte("test"))
		body = opt(body, 0, nil)
		// The byte-order magic is in the body here but in the header
		// for the reader: the lengths come out the same.
		return block(b, ngSectionHeader, body)
	}
	idb := func(b []byte, link uint16, res byte) []byte {
		body := o.AppendUint16(nil, link)
		body = append(body, 0, 0)
		body = o.AppendUint32(body, 0)
		body = opt(body, 2, []byte("eth0"))
		body = opt(body, optTSResolution, []byte{res})
		body = opt(body, optTSOffset, o.AppendUint64(nil, 10))
		return block(b, ngInterfaceDescription, opt(body, 0, nil))
	}
	raw := rawIP(t, samplePackets()[2])
	eth := ethFrame(etherTypeIPv4, raw)
	epb := func(b []byte, iface uint32, ts uint64, frame []byte) []byte {
		body := o.AppendUint32(nil, iface)
		body = o.AppendUint32(body, uint32(ts>>32))
		body = o.AppendUint32(body, uint32(ts))
		body = o.AppendUint32(body, uint32(len(frame)))
		body = o.AppendUint32(body, uint32(len(frame)+2))
		body = append(body, frame...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		body = opt(body, 1, []byte("comment"))
		return block(b, ngEnhancedPacket, opt(body, 0, nil))
	}
	var b []byte
	b = shb(b, 2) // skipped with what follows, up to the next section
	b = idb(b, 1, 6)
	b = epb(b, 0, 1, eth)
	b = shb(b, 1)
	b = idb(b, 1, 9)
	b = idb(b, 101, 0x80|20)
	b = epb(b, 0, 1_700_000_000_123_456_789, eth)
	b = epb(b, 1, 1_700_000_000<<20|1<<19, raw)
	b = block(b, ngSimplePacket, append(o.AppendUint32(nil, uint32(len(eth))), eth...))
	pb := o.AppendUint16(nil, 1)
	pb = o.AppendUint16(pb, 0)
	pb = o.AppendUint32(pb, 0)
	pb = o.AppendUint32(pb, 5)
	pb = o.AppendUint32(pb, uint32(len(raw)))
	pb = o.AppendUint32(pb, uint32(len(raw)))
	b = block(b, ngPacket, append(pb, raw...))
	isb := o.AppendUint32(nil, 1)
	isb = append(isb, make([]byte, 8)...)
	b = block(b, ngInterfaceStatistics, opt(isb, 0, nil))
	nrb := o.AppendUint16(nil, 1)
	nrb = o.AppendUint16(nrb, 4+8)
	nrb = append(nrb, 10, 0, 0, 1)
	nrb = append(nrb, "host.lan"...)
	nrb = append(nrb, 0, 0, 0, 0)
	b = block(b, ngNameResolution, nrb)
	b = block(b, 0x0bad, []byte{1, 2, 3})
	return b
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

// FuzzReaderMatchesGopacket feeds the same bytes to Reader and to the
// reader this package had on gopacket's pcapgo and layers.
func FuzzReaderMatchesGopacket(f *testing.F) {
	for _, in := range diffSeeds(f) {
		f.Add(in)
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
	f.Fuzz(func(t *testing.T, lt uint16, frame []byte) {
		var ref refReader
		var got, want Packet
		reason := decode(frame, linkType(lt), &got)
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
