package capture

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

// ngBuilder writes pcapng blocks in either byte order.
type ngBuilder struct {
	o interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
	b []byte
}

func newNgBuilder(big bool) *ngBuilder {
	if big {
		return &ngBuilder{o: binary.BigEndian}
	}
	return &ngBuilder{o: binary.LittleEndian}
}

func (g *ngBuilder) block(typ uint32, body []byte) *ngBuilder {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	g.b = g.o.AppendUint32(g.b, typ)
	g.b = g.o.AppendUint32(g.b, uint32(12+len(body)))
	g.b = append(g.b, body...)
	g.b = g.o.AppendUint32(g.b, uint32(12+len(body)))
	return g
}

func (g *ngBuilder) opt(b []byte, code uint16, val []byte) []byte {
	b = g.o.AppendUint16(b, code)
	b = g.o.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func (g *ngBuilder) shb(major uint16) *ngBuilder {
	body := g.o.AppendUint32(nil, ngByteOrderMagic)
	body = g.o.AppendUint16(body, major)
	body = g.o.AppendUint16(body, 0)
	body = append(body, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	body = g.opt(body, 4, []byte("test"))
	return g.block(ngSectionHeader, g.opt(body, 0, nil))
}

// idb adds an interface; res is its if_tsresol (0: none).
func (g *ngBuilder) idb(link uint16, snaplen uint32, res byte) *ngBuilder {
	body := g.o.AppendUint16(nil, link)
	body = append(body, 0, 0)
	body = g.o.AppendUint32(body, snaplen)
	body = g.opt(body, 2, []byte("eth0"))
	if res != 0 {
		body = g.opt(body, optTSResolution, []byte{res})
	}
	body = g.opt(body, optTSOffset, g.o.AppendUint64(nil, 10))
	return g.block(ngInterfaceDescription, g.opt(body, 0, nil))
}

func (g *ngBuilder) epb(iface uint32, ts uint64, frame []byte, opts ...byte) *ngBuilder {
	body := g.o.AppendUint32(nil, iface)
	body = g.o.AppendUint32(body, uint32(ts>>32))
	body = g.o.AppendUint32(body, uint32(ts))
	body = g.o.AppendUint32(body, uint32(len(frame)))
	body = g.o.AppendUint32(body, uint32(len(frame)+2))
	body = append(body, frame...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	if opts == nil {
		opts = g.opt(g.opt(nil, 1, []byte("comment")), 0, nil)
	}
	return g.block(ngEnhancedPacket, append(body, opts...))
}

func (g *ngBuilder) spb(frame []byte) *ngBuilder {
	return g.block(ngSimplePacket, append(g.o.AppendUint32(nil, uint32(len(frame))), frame...))
}

// pb adds an obsolete Packet Block.
func (g *ngBuilder) pb(iface uint16, ts uint32, frame []byte) *ngBuilder {
	body := g.o.AppendUint16(nil, iface)
	body = g.o.AppendUint16(body, 0)
	body = g.o.AppendUint32(body, 0)
	body = g.o.AppendUint32(body, ts)
	body = g.o.AppendUint32(body, uint32(len(frame)))
	body = g.o.AppendUint32(body, uint32(len(frame)))
	return g.block(ngPacket, append(body, frame...))
}

func (g *ngBuilder) isb(iface uint32) *ngBuilder {
	body := g.o.AppendUint32(nil, iface)
	body = append(body, make([]byte, 8)...)
	return g.block(ngInterfaceStatistics, g.opt(body, 0, nil))
}

// nrb adds a Name Resolution Block with one record.
func (g *ngBuilder) nrb(typ uint16, addr []byte, name string) *ngBuilder {
	body := g.o.AppendUint16(nil, typ)
	body = g.o.AppendUint16(body, uint16(len(addr)+len(name)+1))
	body = append(body, addr...)
	body = append(body, name...)
	body = append(body, 0)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	return g.block(ngNameResolution, append(body, 0, 0, 0, 0))
}

// ngMixed builds a pcapng of two sections (the first of an unknown
// version), two interfaces of different link types and resolutions, and
// enhanced, simple and obsolete packet blocks, statistics and name
// resolution blocks, in either byte order.
func ngMixed(t testing.TB, big bool) []byte {
	raw := rawIP(t, samplePackets()[2])
	eth := ethFrame(etherTypeIPv4, raw)
	g := newNgBuilder(big).
		shb(2). // skipped with what follows, up to the next section
		idb(1, 0, 6).
		epb(0, 1, eth).
		shb(1).
		idb(1, 0, 9).
		idb(101, 0, 0x80|20).
		epb(0, 1_700_000_000_123_456_789, eth).
		epb(1, 1_700_000_000<<20|1<<19, raw).
		spb(eth).
		pb(1, 5, raw).
		isb(1).
		nrb(1, []byte{10, 0, 0, 1}, "host.lan").
		block(0x0bad, []byte{1, 2, 3})
	return g.b
}

func TestPcapngMixed(t *testing.T) {
	le, be := ngMixed(t, false), ngMixed(t, true)
	r, pkts, err := readAll(t, le)
	got := summary(r, pkts, err)
	checkGolden(t, "pcapng-mixed", "# ngMixed: two sections, two interfaces, EPB, SPB, PB, ISB, NRB, unknown block", got)
	r, pkts, err = readAll(t, be)
	if gotBE := summary(r, pkts, err); gotBE != got {
		t.Errorf("big-endian:\n%s\nlittle-endian:\n%s", gotBE, got)
	}
}

// TestPcapngCorrupt checks the errors for blocks whose fields contradict
// their framing or the file.
func TestPcapngCorrupt(t *testing.T) {
	raw := rawIP(t, samplePackets()[2])
	ng := func() *ngBuilder { return newNgBuilder(false).shb(1).idb(101, 0, 0) }
	for _, tc := range []struct {
		name, want string
		in         []byte
	}{
		{"unknown interface", "interface 1 not described in this section (it has 1)", ng().epb(1, 0, raw).b},
		{"interface of an earlier section", "interface 0 not described in this section (it has 0)", ng().shb(1).epb(0, 0, raw).b},
		{"statistics of an unknown interface", "interface 3 not described", ng().isb(3).b},
		{"resolution", "timestamp resolution byte 0xff out of range", ng().idb(1, 0, 0xff).b},
		{"packet longer than its block", "packet of 4000 bytes in a block with room for", func() []byte {
			body := binary.LittleEndian.AppendUint32(make([]byte, 12), 4000) // interface 0, time 0, caplen
			body = binary.LittleEndian.AppendUint32(body, 4000)
			return ng().block(ngEnhancedPacket, append(body, raw...)).b
		}()},
		{"end of options with a length", "end of options with length 4", ng().epb(0, 0, raw, 0, 0, 4, 0, 1, 2, 3, 4).b},
		{"option past its block", "option 1 of 200 bytes overruns its block", ng().epb(0, 0, raw, 1, 0, 200, 0).b},
		{"simple packet before an interface", "simple packet block before any interface description", newNgBuilder(false).shb(1).spb(raw).b},
		{"short name record", "name record of type 2 is too short for its address", ng().nrb(2, []byte{1, 2, 3, 4}, "").b},
		{"short packet block", "packet block of 8 bytes is too short", ng().block(ngEnhancedPacket, make([]byte, 8)).b},
	} {
		_, _, err := readAll(t, tc.in)
		var ce *CorruptError
		if !errors.As(err, &ce) || errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a CorruptError %q", tc.name, err, tc.want)
		}
	}
}

func TestPcapngTimestamps(t *testing.T) {
	raw := rawIP(t, samplePackets()[2])
	for _, tc := range []struct {
		res  byte
		ts   uint64
		want string // UTC, RFC 3339; the interface adds 10 s
	}{
		{0, 1_700_000_000_654_321, "2023-11-14T22:13:30.654321Z"},
		{6, 1_700_000_000_654_321, "2023-11-14T22:13:30.654321Z"},
		{9, 1_700_000_000_000_000_001, "2023-11-14T22:13:30.000000001Z"},
		{3, 1_700_000_000_123, "2023-11-14T22:13:30.123Z"},
		{0x80 | 10, 1_700_000_000<<10 | 512, "2023-11-14T22:13:30.5Z"},
		{0x80 | 20, 1_700_000_000<<20 | 1<<18, "2023-11-14T22:13:30.25Z"},
		{0x80 | 30, 1_700_000_000<<30 | 3<<28, "2023-11-14T22:13:30.75Z"},
		{25, 123_456_789_012_345_678, "1970-01-01T00:00:10.000000012Z"}, // 10^-25 s: under a second
	} {
		in := newNgBuilder(true).shb(1).idb(101, 0, tc.res).epb(0, tc.ts, raw).b
		_, pkts, err := readAll(t, in)
		if err != nil || len(pkts) != 1 {
			t.Fatalf("res %#x: %d packets, %v", tc.res, len(pkts), err)
		}
		if got := pkts[0].Time.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"); got != tc.want {
			t.Errorf("res %#x ts %d: %s, want %s", tc.res, tc.ts, got, tc.want)
		}
	}
}
