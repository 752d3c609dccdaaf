package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

// ngBlocks returns the offsets of the blocks of a little-endian pcapng file.
func ngBlocks(b []byte) (offs []int) {
	for off := 0; off+8 <= len(b); {
		offs = append(offs, off)
		off += int(binary.LittleEndian.Uint32(b[off+4:]))
	}
	return offs
}

func TestCorruptBlockIsAnError(t *testing.T) {
	in := writeCapture(t, FormatPcapng, WriterOptions{}, samplePackets())
	offs := ngBlocks(in)
	if len(offs) < 6 {
		t.Fatalf("%d blocks", len(offs))
	}
	// The fifth block (the third packet) claims 8 bytes more than it has.
	bad := bytes.Clone(in)
	l := binary.LittleEndian.Uint32(bad[offs[4]+4:])
	binary.LittleEndian.PutUint32(bad[offs[4]+4:], l+8)
	_, pkts, err := readAll(t, bad)
	var ce *CorruptError
	if !errors.As(err, &ce) || errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want a CorruptError, not a truncation", err)
	}
	// The packets before it are kept (the corrupt block's own packet
	// may be read before its trailing length shows the damage).
	if len(pkts) < 2 {
		t.Fatalf("%d packets before the corrupt block, want 2", len(pkts))
	}
	// A file cut inside its last block is still a truncation.
	_, _, err = readAll(t, in[:len(in)-3])
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("cut file: %v", err)
	}
}

func TestTooManyInterfaces(t *testing.T) {
	in := writeCapture(t, FormatPcapng, WriterOptions{}, samplePackets()[:1])
	offs := ngBlocks(in)
	shb := in[:offs[1]]
	idb := in[offs[1]:offs[2]]
	var b bytes.Buffer
	b.Write(shb)
	for range MaxInterfaces + 1 {
		b.Write(idb)
	}
	b.Write(in[offs[2]:])
	_, _, err := readAll(t, b.Bytes())
	if err == nil || !strings.Contains(err.Error(), "interface descriptions") {
		t.Fatalf("err = %v", err)
	}
}

func TestHugeRecordsRefused(t *testing.T) {
	// A pcapng block stating 1 GiB.
	in := writeCapture(t, FormatPcapng, WriterOptions{}, samplePackets()[:2])
	offs := ngBlocks(in)
	bad := bytes.Clone(in)
	binary.LittleEndian.PutUint32(bad[offs[2]+4:], 1<<30)
	if _, _, err := readAll(t, bad); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("pcapng: err = %v", err)
	}
	// A pcap with a 4 GiB snap length and a record stating 300 MB.
	var p bytes.Buffer
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 0xffffffff)
	binary.LittleEndian.PutUint32(hdr[20:], 101)
	p.Write(hdr)
	rec := make([]byte, 16)
	binary.LittleEndian.PutUint32(rec[8:], 300<<20)
	binary.LittleEndian.PutUint32(rec[12:], 300<<20)
	p.Write(rec)
	p.Write(make([]byte, 1000))
	if _, _, err := readAll(t, p.Bytes()); err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("pcap: err = %v, want a refusal before reading 300 MB", err)
	}
}

func TestGzipCaptureReadsLikePlain(t *testing.T) {
	for _, f := range []Format{FormatPcap, FormatPcapng} {
		in := writeCapture(t, f, WriterOptions{}, samplePackets())
		r1, p1, e1 := readAll(t, in)
		r2, p2, e2 := readAll(t, gzipBytes(in))
		if got, want := summary(r2, p2, e2), summary(r1, p1, e1); got != want {
			t.Errorf("%v gzip:\n%s\nplain:\n%s", f, got, want)
		}
	}
	// A gzip stream inflating to under 4 bytes is an error, not a panic.
	if _, err := NewReader(bytes.NewReader(gzipBytes([]byte{0xd4, 0xc3}))); err == nil {
		t.Fatal("tiny gzip: no error")
	}
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
