package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func TestPcapErrors(t *testing.T) {
	frame := rawIP(t, samplePackets()[2])
	good := rawPcap(101, frame)
	set := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	version := bytes.Clone(good)
	binary.LittleEndian.PutUint16(version[6:], 3)
	for _, tc := range []struct {
		name, want string
		in         []byte
		eof        bool // a truncation
	}{
		{"version", "capture: pcap file header: unknown version 2.3", version, false},
		{"header cut", "capture: pcap file header: unexpected EOF", good[:20], true},
		{"captured more than sent", "capture: frame 1: capture length exceeds original packet length: 45 > 44", set(24+12, uint32(len(frame)-1)), false},
		{"beyond the snap length", "capture: frame 1: capture length exceeds snap length: 300000 > 65535", set(24+8, 300000), false},
		{"record header cut", "capture: frame 2: truncated record: unexpected EOF", append(bytes.Clone(good), 1, 2, 3), true},
		{"frame cut", "capture: frame 1: truncated record: unexpected EOF", good[:len(good)-1], true},
	} {
		_, _, err := readAll(t, tc.in)
		if err == nil || err.Error() != tc.want || errors.Is(err, io.ErrUnexpectedEOF) != tc.eof {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestBigRecords reads records longer than the read buffer, which are
// copied rather than returned from it.
func TestBigRecords(t *testing.T) {
	p := samplePackets()[2]
	p.Payload = bytes.Repeat([]byte("0123456789abcdef"), 4000)
	frame := rawIP(t, p)
	// An IPv4 total length of 0 is a TCP segmentation offload frame: the
	// frame's length is the packet's.
	frame = append(frame, bytes.Repeat([]byte("xyz"), 30000)...)
	binary.BigEndian.PutUint16(frame[2:], 0)
	want := frame[40:]
	for name, in := range map[string][]byte{
		"pcap":   rawPcap(101, frame, frame[:100], frame),
		"pcapng": newNgBuilder(false).shb(1).idb(101, 0, 0).epb(0, 0, frame).epb(0, 0, frame[:100]).epb(0, 0, frame).b,
	} {
		_, pkts, err := readAll(t, in)
		if err != nil || len(pkts) != 3 {
			t.Fatalf("%s: %d packets, %v", name, len(pkts), err)
		}
		if !bytes.Equal(pkts[0].Payload, want) || !bytes.Equal(pkts[2].Payload, want) || len(pkts[1].Payload) != 60 {
			t.Errorf("%s: payloads of %d, %d, %d bytes", name, len(pkts[0].Payload), len(pkts[1].Payload), len(pkts[2].Payload))
		}
	}
}
