package pcapfile

import (
	"bytes"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// packet is one packet to write.
type packet struct {
	t      time.Time
	data   []byte
	length int
}

func write(t *testing.T, s Section, intf Interface, pkts []packet) []byte {
	var b bytes.Buffer
	w, err := NewNgWriter(&b, 4096, s, intf)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		if err := w.WritePacket(p.t, p.data, p.length); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writePcapgo writes the same with gopacket's pcapgo, which wxaudit used
// before: the bytes must not change.
func writePcapgo(t *testing.T, s Section, intf Interface, pkts []packet) []byte {
	var b bytes.Buffer
	gi := pcapgo.DefaultNgInterface
	gi.LinkType = layers.LinkType(intf.LinkType)
	gi.SnapLength = intf.SnapLength
	gi.Name = intf.Name
	gi.Description = intf.Description
	opts := pcapgo.DefaultNgWriterOptions
	opts.SectionInfo.Application = s.Application
	w, err := pcapgo.NewNgWriterInterface(&b, gi, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: p.t, CaptureLength: len(p.data), Length: p.length}
		if err := w.WritePacket(ci, p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMatchesPcapgo(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)
	pkts := []packet{
		{t0, []byte("a"), 1},
		{t0.Add(time.Second), []byte("four"), 10},
		{time.Unix(0, 0), nil, 0},
		{time.Date(1960, 1, 1, 0, 0, 0, 1, time.UTC), []byte("before the epoch"), 16},
		{t0, bytes.Repeat([]byte{0xab}, 70001), 70001},
	}
	for _, tc := range []struct {
		s    Section
		intf Interface
	}{
		{Section{"gopacket"}, Interface{LinkType: 1, SnapLength: 262144, Name: "wxaudit"}},
		{Section{"wxaudit"}, Interface{LinkType: 252, SnapLength: 262144, Name: "wxaudit decrypt", Description: "decrypted payloads"}},
		{Section{"abc"}, Interface{LinkType: 276, Name: "x", Description: "ab"}},
	} {
		got, want := write(t, tc.s, tc.intf, pkts), writePcapgo(t, tc.s, tc.intf, pkts)
		if !bytes.Equal(got, want) {
			t.Errorf("%+v %+v:\n got %x\nwant %x", tc.s, tc.intf, got[:min(len(got), 300)], want[:min(len(want), 300)])
		}
	}
}

func FuzzMatchesPcapgo(f *testing.F) {
	f.Add("wxaudit", "eth0", "", uint16(1), uint32(65535), int64(1700000000123456789), []byte("abc"), 5)
	f.Fuzz(func(t *testing.T, app, name, desc string, link uint16, snap uint32, ns int64, data []byte, extra int) {
		if len(app) > 1000 || len(name) > 1000 || len(desc) > 1000 || extra < 0 || extra > 1<<20 {
			t.Skip()
		}
		s, intf := Section{app}, Interface{LinkType: link, SnapLength: snap, Name: name, Description: desc}
		pkts := []packet{{time.Unix(0, ns), data, len(data) + extra}, {time.Unix(0, -ns), data, len(data)}}
		if got, want := write(t, s, intf, pkts), writePcapgo(t, s, intf, pkts); !bytes.Equal(got, want) {
			t.Fatalf("got %x\nwant %x", got, want)
		}
	})
}
