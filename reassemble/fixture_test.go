package reassemble

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"testing"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/pcaprewrite"
)

// sharedFixture returns the path of a Citizen Lab fixture (see internal/fixtures).
func sharedFixture(t testing.TB, name string) string {
	t.Helper()
	return fixtures.Path(t, name)
}

const fixtureCapture = "capture-logged-in-all-keys.pcapng"

// assemble reassembles a whole capture.
func assemble(t testing.TB, in []byte, opts Options) (*recorder, Stats) {
	t.Helper()
	r, err := capture.NewReader(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{t: t}
	a := NewAssembler(rec, opts)
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		a.Add(p)
	}
	a.Flush()
	return rec, a.Stats()
}

// streamHashes returns one line per connection: its ID and the sha256 of
// each direction's bytes (gaps included as markers), and a hash of all.
// Only hashes are kept: the real streams are never written anywhere.
func streamHashes(rec *recorder) ([]string, string) {
	var lines []string
	all := sha256.New()
	for _, s := range rec.streams {
		c := sha256.Sum256(s.buf[ClientToServer].Bytes())
		v := sha256.Sum256(s.buf[ServerToClient].Bytes())
		l := fmt.Sprintf("%v c2s=%x(%d) s2c=%x(%d) close=%s", s.conn.ID, c[:8], s.buf[0].Len(), v[:8], s.buf[1].Len(), s.closed)
		lines = append(lines, l)
		all.Write(c[:])
		all.Write(v[:])
	}
	return lines, hex.EncodeToString(all.Sum(nil))
}

func TestFixture(t *testing.T) {
	in, err := os.ReadFile(sharedFixture(t, fixtureCapture))
	if err != nil {
		t.Fatal(err)
	}
	rec, stats := assemble(t, in, Options{})
	// `tshark -q -z conv,tcp` lists 34 TCP conversations.
	if len(rec.streams) != 34 || stats.Conns != 34 {
		t.Fatalf("%d connections, want 34", len(rec.streams))
	}
	if stats.BytesDelivered != 56041 || stats.Gaps != 0 {
		t.Errorf("stats %+v, want 56041 bytes delivered and no gaps", stats)
	}
	want, wantAll := streamHashes(rec)
	t.Logf("fixture stats %+v", stats)
	for _, opts := range []pcaprewrite.Options{
		{Seed: 1, SplitMax: 1},
		{Seed: 2, SplitMax: 100, Reorder: 0.3, Duplicate: 0.2, PartialRetransmit: 0.2},
		{Seed: 3, SplitMax: 7, Reorder: 0.8, Duplicate: 0.5, PartialRetransmit: 0.5},
	} {
		t.Run(fmt.Sprintf("seed%d", opts.Seed), func(t *testing.T) {
			var out bytes.Buffer
			if err := pcaprewrite.Rewrite(bytes.NewReader(in), &out, opts); err != nil {
				t.Fatal(err)
			}
			rec2, stats2 := assemble(t, out.Bytes(), Options{})
			got, gotAll := streamHashes(rec2)
			if gotAll != wantAll {
				for i := range max(len(got), len(want)) {
					var g, w string
					if i < len(got) {
						g = got[i]
					}
					if i < len(want) {
						w = want[i]
					}
					if g != w {
						t.Errorf("conn %d:\n got %s\nwant %s", i, g, w)
					}
				}
			}
			t.Logf("rewritten stats %+v", stats2)
		})
	}
}

func FuzzAssembler(f *testing.F) {
	f.Add([]byte{0, 0, 1, 5, 0, 1, 0, 3, 2, 1, 0, 9, 1, 0, 0, 2}, uint16(4))
	f.Add([]byte("\x02\x00\x00\x00\x00\x03\xff\xff\xff\xfe\x00\x10\x01\x00\x00\x04"), uint16(0))
	f.Fuzz(func(t *testing.T, ops []byte, limit uint16) {
		if len(ops) > 4096 {
			t.Skip("oversized")
		}
		// Each 8-byte op: flags, direction/port, seq (4 bytes), length (2).
		data := [2][]byte{bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz"), 100), bytes.Repeat([]byte("ZYXWVUTSRQPONMLKJIHGFEDCBA"), 100)}
		rec := &recorder{t: t}
		a := NewAssembler(rec, Options{MaxBufferedBytesPerConn: int(limit), MaxBufferedBytesTotal: 3 * int(limit), MaxConns: 3})
		for i := 0; i+8 <= len(ops); i += 8 {
			op := ops[i : i+8]
			d := int(op[1] & 1)
			port := uint16(40000 + int(op[1]>>1&3))
			c := netip.AddrPortFrom(cli.Addr(), port)
			src, dst := c, srv
			if d == 1 {
				src, dst = srv, c
			}
			seq := uint32(op[2])<<24 | uint32(op[3])<<16 | uint32(op[4])<<8 | uint32(op[5])
			n := int(op[6])<<8 | int(op[7])
			off := int(seq % uint32(len(data[d])))
			n = min(n, len(data[d])-off)
			a.Add(capture.Packet{Frame: int64(i/8 + 1), Src: src, Dst: dst, Seq: seq, Flags: capture.TCPFlags(op[0]), Payload: data[d][off : off+n]})
		}
		a.Flush()
		st := a.Stats()
		var delivered int64
		for _, s := range rec.streams {
			if s.closed == "" {
				t.Fatal("stream not closed")
			}
			delivered += int64(s.raw[0].Len() + s.raw[1].Len())
		}
		if delivered != st.BytesDelivered || st.Conns != int64(len(rec.streams)) {
			t.Fatalf("stats %+v, delivered %d", st, delivered)
		}
	})
}

func BenchmarkAssembler(b *testing.B) {
	for _, tc := range []struct {
		name    string
		reorder bool
	}{{"InOrder/1400B", false}, {"Reordered/1400B", true}} {
		b.Run(tc.name, func(b *testing.B) {
			const segs, size = 1000, 1400
			payload := bytes.Repeat([]byte{0x17}, size)
			pkts := make([]capture.Packet, 0, segs+2)
			pkts = append(pkts, capture.Packet{Src: cli, Dst: srv, Seq: 0, Flags: capture.SYN})
			for i := range segs {
				pkts = append(pkts, capture.Packet{Src: cli, Dst: srv, Seq: 1 + uint32(i*size), Flags: capture.ACK, Payload: payload})
			}
			if tc.reorder {
				rng := rand.New(rand.NewPCG(1, 2))
				for i := 1; i+1 < len(pkts); i += 2 {
					if rng.IntN(2) == 0 {
						pkts[i], pkts[i+1] = pkts[i+1], pkts[i]
					}
				}
			}
			b.SetBytes(segs * size)
			b.ReportAllocs()
			for b.Loop() {
				a := NewAssembler(nopHandler{}, Options{})
				for _, p := range pkts {
					a.Add(p)
				}
				a.Flush()
			}
		})
	}
}
