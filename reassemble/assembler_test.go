package reassemble

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	cli = netip.MustParseAddrPort("10.0.0.1:50000")
	srv = netip.MustParseAddrPort("10.0.0.2:443")
	t0  = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

// recorder is a Handler whose streams check the Stream contract and record
// what they receive.
type recorder struct {
	t       testing.TB
	streams []*recStream
}

func (r *recorder) Open(c Conn) Stream {
	s := &recStream{t: r.t, conn: c}
	r.streams = append(r.streams, s)
	return s
}

type recStream struct {
	t      testing.TB
	conn   Conn
	buf    [2]bytes.Buffer // delivered bytes, gaps rendered as "[gap n reason]"
	raw    [2]bytes.Buffer // delivered bytes only
	next   [2]int64
	segs   [2][]Segment
	closed string
	log    []string
}

func (s *recStream) Data(d Direction, off int64, data []byte, segs []Segment) {
	if s.closed != "" {
		s.t.Errorf("Data after Close")
	}
	if off != s.next[d] {
		s.t.Errorf("%v: Data at offset %d, want %d", d, off, s.next[d])
	}
	o := off
	for _, sg := range segs {
		if sg.Offset != o || sg.Len <= 0 {
			s.t.Errorf("%v: segment %+v at %d", d, sg, o)
		}
		o += int64(sg.Len)
	}
	if o != off+int64(len(data)) {
		s.t.Errorf("%v: segments cover %d bytes of %d", d, o-off, len(data))
	}
	s.segs[d] = append(s.segs[d], segs...)
	s.buf[d].Write(data)
	s.raw[d].Write(data)
	s.next[d] += int64(len(data))
	s.log = append(s.log, fmt.Sprintf("data %v off=%d %q frames=%v", d, off, data, frames(segs)))
}

func frames(segs []Segment) []int64 {
	var f []int64
	for _, s := range segs {
		f = append(f, s.Frame)
	}
	return f
}

func (s *recStream) Gap(d Direction, n int64, reason string) {
	if s.closed != "" {
		s.t.Errorf("Gap after Close")
	}
	if n > 0 {
		s.next[d] += n
	}
	fmt.Fprintf(&s.buf[d], "[gap %d %s]", n, reason)
	s.log = append(s.log, fmt.Sprintf("gap %v n=%d %s", d, n, reason))
}

func (s *recStream) Close(reason string) {
	if s.closed != "" {
		s.t.Errorf("Close twice")
	}
	s.closed = reason
	s.log = append(s.log, "close "+reason)
}

// pk builds a packet; frame numbers are assigned by run.
func pk(src, dst netip.AddrPort, seq uint32, flags capture.TCPFlags, payload string) capture.Packet {
	return capture.Packet{Src: src, Dst: dst, Seq: seq, Flags: flags | capture.ACK&^flagsNoAck(flags), Payload: []byte(payload)}
}

// flagsNoAck keeps a bare SYN without ACK.
func flagsNoAck(f capture.TCPFlags) capture.TCPFlags {
	if f == capture.SYN {
		return capture.ACK
	}
	return 0
}

func c2s(seq uint32, flags capture.TCPFlags, payload string) capture.Packet {
	return pk(cli, srv, seq, flags, payload)
}

func s2c(seq uint32, flags capture.TCPFlags, payload string) capture.Packet {
	return pk(srv, cli, seq, flags, payload)
}

// run feeds pkts (numbering frames from 1, reusing one payload buffer to
// check that the assembler copies what it keeps) and flushes.
func run(t testing.TB, opts Options, pkts []capture.Packet) (*recorder, Stats) {
	t.Helper()
	rec := &recorder{t: t}
	a := NewAssembler(rec, opts)
	var scratch []byte
	for i, p := range pkts {
		p.Frame = int64(i + 1)
		if p.Time.IsZero() {
			p.Time = t0.Add(time.Duration(i) * time.Millisecond)
		}
		scratch = append(scratch[:0], p.Payload...)
		p.Payload = scratch
		a.Add(p)
		for j := range scratch {
			scratch[j] = 0xee // poison: the assembler must not keep it
		}
	}
	a.Flush()
	return rec, a.Stats()
}

// Sequence numbers used by the tables.
const (
	isnC = 1000
	isnS = 5000
)

func handshake() []capture.Packet {
	return []capture.Packet{
		c2s(isnC, capture.SYN, ""),
		s2c(isnS, capture.SYN|capture.ACK, ""),
		c2s(isnC+1, capture.ACK, ""),
	}
}

func with(pre []capture.Packet, more ...capture.Packet) []capture.Packet {
	return append(append([]capture.Packet{}, pre...), more...)
}

func TestAssembler(t *testing.T) {
	const c, s = isnC + 1, isnS + 1
	tests := []struct {
		name       string
		opts       Options
		pkts       []capture.Packet
		client     string // client to server bytes, with gaps
		server     string
		close      string
		wantClient netip.AddrPort
	}{
		{
			name: "in order",
			pkts: with(handshake(), c2s(c, 0, "hello "), c2s(c+6, 0, "world"), s2c(s, 0, "hi"),
				c2s(c+11, capture.FIN, ""), s2c(s+2, capture.FIN, "")),
			client: "hello world", server: "hi", close: "fin",
		},
		{
			name:   "out of order",
			pkts:   with(handshake(), c2s(c+6, 0, "world"), c2s(c+3, 0, "lo "), c2s(c, 0, "hel")),
			client: "hello world", close: "end of capture",
		},
		{
			name:   "exact duplicate",
			pkts:   with(handshake(), c2s(c, 0, "abc"), c2s(c, 0, "abc"), c2s(c+3, 0, "def"), c2s(c+3, 0, "def")),
			client: "abcdef", close: "end of capture",
		},
		{
			name:   "partial overlap in order",
			pkts:   with(handshake(), c2s(c, 0, "abcd"), c2s(c+2, 0, "cdefg"), c2s(c+7, 0, "h")),
			client: "abcdefgh", close: "end of capture",
		},
		{
			name: "partial overlaps buffered",
			pkts: with(handshake(), c2s(c+4, 0, "ef"), c2s(c+8, 0, "ij"), c2s(c+3, 0, "XXXXXXXk"),
				c2s(c, 0, "abc")),
			client: "abcXefXXijk", close: "end of capture",
		},
		{
			name:   "overlap spanning buffered chunks",
			pkts:   with(handshake(), c2s(c+2, 0, "c"), c2s(c+5, 0, "f"), c2s(c+1, 0, "bXdeXg"), c2s(c, 0, "a")),
			client: "abcdefg", close: "end of capture",
		},
		{
			name:   "missing syn",
			pkts:   []capture.Packet{c2s(77, 0, "mid"), s2c(99, 0, "stream"), c2s(80, 0, "dle")},
			client: "middle", server: "stream", close: "end of capture",
		},
		{
			name:   "missing syn server speaks first",
			pkts:   []capture.Packet{s2c(99, 0, "banner"), c2s(77, 0, "x")},
			client: "x", server: "banner", close: "end of capture",
			wantClient: cli,
		},
		{
			name:   "syn-ack first",
			pkts:   []capture.Packet{s2c(isnS, capture.SYN|capture.ACK, ""), s2c(s, 0, "srv"), c2s(c, 0, "cli")},
			client: "cli", server: "srv", close: "end of capture",
		},
		{
			name:   "gap at end of capture",
			pkts:   with(handshake(), c2s(c, 0, "ab"), c2s(c+5, 0, "fg")),
			client: "ab[gap 3 not captured]fg", close: "end of capture",
		},
		{
			name: "gap with limit",
			opts: Options{MaxBufferedBytesPerConn: 4},
			pkts: with(handshake(), c2s(c, 0, "ab"), c2s(c+4, 0, "ef"), c2s(c+7, 0, "hij"), c2s(c+2, 0, "cd"),
				c2s(c+10, 0, "k")),
			client: "ab[gap 2 buffer limit]ef[gap 1 not captured]hijk", close: "end of capture",
		},
		{
			name:   "rst",
			pkts:   with(handshake(), c2s(c, 0, "ab"), c2s(c+3, 0, "d"), s2c(s, capture.RST, ""), c2s(c+4, 0, "late")),
			client: "ab[gap 1 not captured]d", close: "rst",
		},
		{
			name:   "fin before data",
			pkts:   with(handshake(), c2s(c+2, capture.FIN, "cd"), s2c(s, capture.FIN, ""), c2s(c, 0, "ab")),
			client: "abcd", close: "fin",
		},
		{
			name: "wraparound",
			pkts: []capture.Packet{c2s(0xfffffffd, capture.SYN, ""), s2c(7, capture.SYN|capture.ACK, ""),
				c2s(0xfffffffe, 0, "ab"), c2s(1, 0, "de"), c2s(0, 0, "c"), c2s(3, 0, "f")},
			client: "abcdef", close: "end of capture",
		},
		{
			name:   "old retransmission before mid-stream start",
			pkts:   []capture.Packet{c2s(100, 0, "now"), c2s(90, 0, "0123456789"), c2s(103, 0, "!")},
			client: "now!", close: "end of capture",
		},
		{
			name:   "syn with data",
			pkts:   with([]capture.Packet{c2s(isnC, capture.SYN, "tfo")}, s2c(isnS, capture.SYN|capture.ACK, ""), c2s(c+3, 0, "!")),
			client: "tfo!", close: "end of capture",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, stats := run(t, tt.opts, tt.pkts)
			if len(rec.streams) != 1 {
				t.Fatalf("%d connections", len(rec.streams))
			}
			st := rec.streams[0]
			if got := st.buf[ClientToServer].String(); got != tt.client {
				t.Errorf("client: got %q, want %q", got, tt.client)
			}
			if got := st.buf[ServerToClient].String(); got != tt.server {
				t.Errorf("server: got %q, want %q", got, tt.server)
			}
			if st.closed != tt.close {
				t.Errorf("close %q, want %q", st.closed, tt.close)
			}
			if st.conn.ID.Client != cli || st.conn.ID.Server != srv {
				t.Errorf("conn %v, want client %v", st.conn.ID, cli)
			}
			t.Logf("stats %+v", stats)
		})
	}
}

// TestGolden records the full call sequence of a few cases.
func TestGolden(t *testing.T) {
	const c, s = isnC + 1, isnS + 1
	pkts := with(handshake(), c2s(c+3, 0, "def"), c2s(c, 0, "abcd"), s2c(s, 0, "xyz"), c2s(c+6, 0, "gh"),
		c2s(c, 0, "abc"), s2c(s+5, 0, "!"), c2s(c+8, capture.FIN, ""), s2c(s+6, capture.FIN, ""))
	rec, stats := run(t, Options{}, pkts)
	var b strings.Builder
	for _, st := range rec.streams {
		fmt.Fprintf(&b, "open %v index=%d first=%d syn=%v\n", st.conn.ID, st.conn.Index, st.conn.FirstFrame, st.conn.SawSYN)
		for _, l := range st.log {
			b.WriteString(l + "\n")
		}
	}
	fmt.Fprintf(&b, "stats %+v\n", stats)
	got := "# options: default\n" + b.String()
	path := filepath.Join("testdata", "sequence.golden")
	testkit.Golden(t, path, got, *update)
}

func TestSplitEveryByte(t *testing.T) {
	const msg = "The quick brown fox"
	for cut := 1; cut < len(msg); cut++ {
		for _, reversed := range []bool{false, true} {
			a := c2s(isnC+1+uint32(0), 0, msg[:cut])
			b := c2s(isnC+1+uint32(cut), 0, msg[cut:])
			pkts := with(handshake(), a, b)
			if reversed {
				pkts = with(handshake(), b, a)
			}
			rec, _ := run(t, Options{}, pkts)
			if got := rec.streams[0].buf[ClientToServer].String(); got != msg {
				t.Errorf("cut %d reversed %v: got %q", cut, reversed, got)
			}
		}
	}
}

func TestClientServer(t *testing.T) {
	eph := netip.MustParseAddrPort("192.0.2.1:40000")
	web := netip.MustParseAddrPort("192.0.2.2:80")
	alt := netip.MustParseAddrPort("192.0.2.3:8080")
	low := netip.MustParseAddrPort("192.0.2.4:1000")
	tests := []struct {
		name       string
		p          capture.Packet
		wantClient netip.AddrPort
	}{
		{"syn", pk(web, eph, 1, capture.SYN, ""), web},
		{"syn-ack", pk(web, eph, 1, capture.SYN|capture.ACK, ""), eph},
		{"from server port", pk(web, eph, 1, 0, "x"), eph},
		{"from 8080", pk(alt, eph, 1, 0, "x"), eph},
		{"to server port", pk(eph, web, 1, 0, "x"), eph},
		{"both server ports", pk(low, web, 1, 0, "x"), low},
	}
	for _, tt := range tests {
		rec, _ := run(t, Options{}, []capture.Packet{tt.p})
		if got := rec.streams[0].conn.ID.Client; got != tt.wantClient {
			t.Errorf("%s: client %v, want %v", tt.name, got, tt.wantClient)
		}
	}
	if ClientToServer.Reverse() != ServerToClient || ServerToClient.String() != "server to client" || Direction(7).String() != "direction(7)" {
		t.Error("Direction methods")
	}
}

func TestLimits(t *testing.T) {
	// MaxConns: the third connection closes the least recently seen one.
	var pkts []capture.Packet
	for i := range 3 {
		c := netip.AddrPortFrom(cli.Addr(), uint16(50000+i))
		pkts = append(pkts, pk(c, srv, 1, 0, "x"))
	}
	rec, st := run(t, Options{MaxConns: 2}, pkts)
	if len(rec.streams) != 3 || rec.streams[0].closed != "limit" || st.ConnsOverLimit != 1 {
		t.Errorf("streams %d, first closed %q, stats %+v", len(rec.streams), rec.streams[0].closed, st)
	}
	// IdleTimeout.
	a, b := pk(cli, srv, 1, 0, "a"), pk(netip.AddrPortFrom(cli.Addr(), 1234), srv, 1, 0, "b")
	a.Time, b.Time = t0, t0.Add(time.Hour)
	rec, _ = run(t, Options{IdleTimeout: time.Minute}, []capture.Packet{a, b})
	if rec.streams[0].closed != "timeout" || rec.streams[1].closed != "end of capture" {
		t.Errorf("closed %q %q", rec.streams[0].closed, rec.streams[1].closed)
	}
	// Total buffer limit across connections.
	var many []capture.Packet
	for i := range 10 {
		c := netip.AddrPortFrom(cli.Addr(), uint16(40000+i))
		many = append(many, pk(c, srv, 1, capture.SYN, ""), pk(c, srv, 12, 0, "0123456789"))
	}
	rec, st = run(t, Options{MaxBufferedBytesTotal: 35}, many)
	if st.PeakBufferedBytes > 45 || st.Gaps != 10 {
		t.Errorf("stats %+v", st)
	}
	for _, s := range rec.streams {
		if got := s.buf[ClientToServer].String(); got != "[gap 10 buffer limit]0123456789" && got != "[gap 10 not captured]0123456789" {
			t.Errorf("stream %q", got)
		}
	}
}

// TestStragglersAfterClose checks that the last ACK after both FINs does not
// open a new connection, and that a new SYN on the same ports does.
func TestStragglersAfterClose(t *testing.T) {
	const c, s = isnC + 1, isnS + 1
	pkts := with(handshake(), c2s(c, capture.FIN, ""), s2c(s, capture.FIN, ""), c2s(c+1, capture.ACK, ""),
		c2s(9000, capture.SYN, ""), c2s(9001, 0, "again"))
	rec, _ := run(t, Options{}, pkts)
	if len(rec.streams) != 2 || rec.streams[0].closed != "fin" || rec.streams[1].buf[0].String() != "again" {
		t.Errorf("%d streams", len(rec.streams))
	}
}

func TestInOrderDoesNotAllocate(t *testing.T) {
	if testkit.Race {
		t.Skip("the race detector allocates")
	}
	a := NewAssembler(nopHandler{}, Options{})
	p := c2s(isnC, capture.SYN, "")
	a.Add(p)
	p = s2c(isnS, capture.SYN|capture.ACK, "")
	a.Add(p)
	payload := bytes.Repeat([]byte{'x'}, 1400)
	seq := uint32(isnC + 1)
	allocs := testing.AllocsPerRun(1000, func() {
		a.Add(capture.Packet{Src: cli, Dst: srv, Seq: seq, Flags: capture.ACK, Payload: payload, Time: t0})
		seq += 1400
	})
	if allocs != 0 {
		t.Errorf("%v allocations per in-order segment", allocs)
	}
}

type nopHandler struct{}

func (nopHandler) Open(Conn) Stream { return nopStream{} }

type nopStream struct{}

func (nopStream) Data(Direction, int64, []byte, []Segment) {}
func (nopStream) Gap(Direction, int64, string)             {}
func (nopStream) Close(string)                             {}

// TestProperty splits, reorders and duplicates random streams and checks the
// reassembled bytes, and that every delivered segment names a frame that
// really carried those bytes.
func TestProperty(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 42))
		want := [2][]byte{randBytes(rng, rng.IntN(3000)), randBytes(rng, rng.IntN(3000))}
		isn := [2]uint32{rng.Uint32(), rng.Uint32()}
		if seed%3 == 0 {
			isn[0] = 0xffffffff - uint32(rng.IntN(2000)) // wrap inside the stream
		}
		pkts := randomTraffic(rng, want, isn)
		rec, stats := run(t, Options{}, pkts)
		if len(rec.streams) != 1 {
			t.Fatalf("seed %d: %d streams", seed, len(rec.streams))
		}
		st := rec.streams[0]
		for d := range 2 {
			if !bytes.Equal(st.buf[d].Bytes(), want[d]) {
				t.Fatalf("seed %d %v: got %d bytes %q..., want %d", seed, Direction(d), st.buf[d].Len(), trunc(st.buf[d].Bytes()), len(want[d]))
			}
			for _, sg := range st.segs[d] {
				p := pkts[sg.Frame-1]
				off := int64(p.Seq - isn[d] - 1)
				if int64(int32(p.Seq-isn[d]-1)) < 0 {
					off = int64(int32(p.Seq - isn[d] - 1))
				}
				lo := sg.Offset - off
				if lo < 0 || lo+int64(sg.Len) > int64(len(p.Payload)) || !bytes.Equal(p.Payload[lo:lo+int64(sg.Len)], want[d][sg.Offset:sg.Offset+int64(sg.Len)]) {
					t.Fatalf("seed %d: segment %+v not carried by frame %d (seq %d, %d bytes)", seed, sg, sg.Frame, p.Seq, len(p.Payload))
				}
			}
		}
		if st.closed != "fin" {
			t.Fatalf("seed %d: closed %q, stats %+v", seed, st.closed, stats)
		}
	}
}

func trunc(b []byte) []byte { return b[:min(len(b), 20)] }

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return b
}

// randomTraffic returns a handshake, then both streams split at random
// points, shuffled, with duplicates and partial retransmissions, then FINs.
func randomTraffic(rng *rand.Rand, data [2][]byte, isn [2]uint32) []capture.Packet {
	ends := [2]netip.AddrPort{cli, srv}
	var body []capture.Packet
	for d := range 2 {
		src, dst := ends[d], ends[1-d]
		for off := 0; off < len(data[d]); {
			n := 1 + rng.IntN(300)
			n = min(n, len(data[d])-off)
			seg := capture.Packet{Src: src, Dst: dst, Seq: isn[d] + 1 + uint32(off), Flags: capture.ACK, Payload: data[d][off : off+n]}
			body = append(body, seg)
			if rng.IntN(5) == 0 {
				body = append(body, seg) // exact duplicate
			}
			if rng.IntN(5) == 0 { // partial retransmission of a random range
				lo := rng.IntN(off + n)
				hi := lo + 1 + rng.IntN(len(data[d])-lo)
				body = append(body, capture.Packet{Src: src, Dst: dst, Seq: isn[d] + 1 + uint32(lo), Flags: capture.ACK, Payload: data[d][lo:hi]})
			}
			off += n
		}
	}
	rng.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
	pkts := []capture.Packet{
		{Src: cli, Dst: srv, Seq: isn[0], Flags: capture.SYN},
		{Src: srv, Dst: cli, Seq: isn[1], Flags: capture.SYN | capture.ACK},
	}
	pkts = append(pkts, body...)
	fin := []capture.Packet{
		{Src: cli, Dst: srv, Seq: isn[0] + 1 + uint32(len(data[0])), Flags: capture.FIN | capture.ACK},
		{Src: srv, Dst: cli, Seq: isn[1] + 1 + uint32(len(data[1])), Flags: capture.FIN | capture.ACK},
	}
	// FINs go anywhere after the handshake: the assembler waits for the data.
	for _, f := range fin {
		i := 2 + rng.IntN(len(pkts)-1)
		pkts = append(pkts[:i], append([]capture.Packet{f}, pkts[i:]...)...)
	}
	return pkts
}

// TestSnapped checks that the uncaptured tail of a snapped segment is
// reported as a gap at once, not buffered until the end.
func TestSnapped(t *testing.T) {
	const c = isnC + 1
	cut := c2s(c, 0, "abc") // really 6 bytes on the wire
	cut.Truncated = true
	rec, st := run(t, Options{}, with(handshake(), cut, c2s(c+6, 0, "ghi"), c2s(c+9, 0, "j")))
	if got := rec.streams[0].buf[ClientToServer].String(); got != "abc[gap 3 snapped]ghij" {
		t.Errorf("got %q", got)
	}
	if st.PeakBufferedBytes != 0 {
		t.Errorf("buffered %d bytes", st.PeakBufferedBytes)
	}
}
