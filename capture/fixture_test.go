package capture

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/testkit"
)

// sharedFixture returns the path of a Citizen Lab fixture (see internal/fixtures).
func sharedFixture(t testing.TB, name string) string {
	t.Helper()
	return fixtures.Path(t, name)
}

const fixtureCapture = "capture-logged-in-all-keys.pcapng"

func TestFixture(t *testing.T) {
	in, err := os.ReadFile(sharedFixture(t, fixtureCapture))
	if err != nil {
		t.Fatal(err)
	}
	r, pkts, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	// The file is named .pcapng but is a classic pcap.
	if r.Format() != FormatPcap || r.LinkType() != "ethernet" {
		t.Errorf("format %v, link type %s", r.Format(), r.LinkType())
	}
	s := r.Stats()
	// 489 frames as Wireshark numbers them; 341 TCP segments: `tshark -Y tcp`
	// shows 342, one of which (frame 141) is the TCP header quoted inside an
	// ICMPv6 Destination Unreachable, counted here as "icmpv6".
	if s.Frames != 489 || s.TCPPackets != 341 || len(pkts) != 341 {
		t.Errorf("stats %v, %d packets; want 489 frames, 341 tcp", s, len(pkts))
	}
	var skipped int
	for _, n := range s.Skipped {
		skipped += n
	}
	if int64(skipped)+s.TCPPackets != s.Frames {
		t.Errorf("skipped %d + tcp %d != frames %d", skipped, s.TCPPackets, s.Frames)
	}
	t.Logf("fixture: %v", s)
}

// TestWriterTshark checks that tshark reads Writer output without expert
// warnings (malformed packets, bad checksums).
func TestWriterTshark(t *testing.T) {
	tshark := testkit.Tool(t, "tshark", testkit.RequireTsharkEnv)
	for _, tc := range []struct {
		name string
		f    Format
		link LinkType
	}{
		{"eth.pcap", FormatPcap, LinkTypeEthernet},
		{"eth.pcapng", FormatPcapng, LinkTypeEthernet},
		{"sll2.pcapng", FormatPcapng, LinkTypeSLL2},
		{"sll.pcap", FormatPcap, LinkTypeSLL},
		{"raw.pcap", FormatPcap, LinkTypeRaw},
		{"null.pcap", FormatPcap, LinkTypeNull},
		{"loop.pcap", FormatPcap, LinkTypeLoop},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(path, writeCapture(t, tc.f, WriterOptions{Link: tc.link}, samplePackets()), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(tshark, "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
				"-T", "fields", "-e", "frame.number", "-e", "tcp.srcport", "-e", "_ws.expert.severity", "-e", "_ws.expert.message").CombinedOutput()
			if err != nil {
				t.Fatalf("tshark: %v\n%s", err, out)
			}
			lines := 0
			for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
				if strings.HasPrefix(line, "Running as user") {
					continue
				}
				lines++
				f := strings.Split(line, "\t")
				if len(f) < 2 || f[1] == "" {
					t.Errorf("tshark did not decode TCP: %q", line)
				}
				// Expert info at warning level or above (RST and FIN are
				// chat/note level, which is fine).
				msg := strings.ToLower(line)
				if strings.Contains(msg, "malformed") || strings.Contains(msg, "checksum") || strings.Contains(msg, "bad") {
					t.Errorf("tshark warns: %q", line)
				}
			}
			if lines != len(samplePackets()) {
				t.Errorf("tshark read %d packets:\n%s", lines, out)
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	pkts := samplePackets()
	for _, link := range []LinkType{LinkTypeEthernet, LinkTypeRaw, LinkTypeSLL2, LinkTypeNull} {
		f.Add(writeCapture(f, FormatPcap, WriterOptions{Link: link}, pkts[:3]))
		f.Add(writeCapture(f, FormatPcapng, WriterOptions{Link: link}, pkts[3:5]))
	}
	f.Add(swapPcap(f, writeCapture(f, FormatPcap, WriterOptions{Nanoseconds: true}, pkts[:2])))
	f.Add(rawPcap(147, []byte{1, 2, 3}))
	// gzip-wrapped captures, and a gzip stream of under 4 bytes (it once
	// panicked).
	f.Add(gzipBytes(writeCapture(f, FormatPcapng, WriterOptions{}, pkts[:3])))
	f.Add(gzipBytes(writeCapture(f, FormatPcap, WriterOptions{}, pkts[:3])))
	f.Add(gzipBytes([]byte{0xd4, 0xc3}))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			t.Skip("oversized")
		}
		r, err := NewReader(bytes.NewReader(in))
		if err != nil {
			if r != nil {
				t.Fatal("reader and error")
			}
			return
		}
		var n int64
		for {
			p, err := r.Next()
			if err != nil {
				if p.Payload != nil || p.Frame != 0 {
					t.Fatalf("packet %v with error %v", p, err)
				}
				if _, err2 := r.Next(); err2 != err {
					t.Fatalf("error not sticky: %v then %v", err, err2)
				}
				break
			}
			n++
			if p.Frame < 1 || p.Frame > r.Stats().Frames {
				t.Fatalf("frame %d", p.Frame)
			}
		}
		s := r.Stats()
		if s.TCPPackets != n {
			t.Fatalf("stats %v, %d packets", s, n)
		}
	})
}

func BenchmarkReader(b *testing.B) {
	in := benchCapture(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	br := bytes.NewReader(in)
	for b.Loop() {
		br.Reset(in)
		r, err := NewReader(br)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// benchCapture is the real fixture if present, else a synthetic capture of
// 2000 full-size segments.
func benchCapture(b *testing.B) []byte {
	path := filepath.Join("..", "..", "shared", "fixtures", "citizenlab", fixtureCapture)
	if in, err := os.ReadFile(path); err == nil && os.Getenv("WXAUDIT_BENCH_SYNTHETIC") == "" {
		return in
	}
	base := samplePackets()[2]
	base.Payload = bytes.Repeat([]byte{0xab}, 1400)
	var pkts []Packet
	for i := range 2000 {
		p := base
		p.Seq += uint32(i * 1400)
		pkts = append(pkts, p)
	}
	return writeCapture(b, FormatPcap, WriterOptions{}, pkts)
}
