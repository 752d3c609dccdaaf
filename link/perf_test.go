package link

import (
	"bytes"
	"testing"
)

func testRecord(typ byte, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, 0xf1, 0x04, byte(n >> 8), byte(n)}, body...)
}

// TestFramerReleasesIdleBuffer checks that a Framer with nothing buffered
// holds no buffer, and that interleaved Framers sharing the buffer pool
// still frame their own bytes.
func TestFramerReleasesIdleBuffer(t *testing.T) {
	a, b := NewFramer(KindLonglink, true), NewFramer(KindLonglink, false)
	var off [2]int64
	for i := range 50 {
		for j, f := range []*Framer{a, b} {
			body := bytes.Repeat([]byte{byte(i), byte(j)}, 100+37*i)
			rec := testRecord(0x17, body)
			// Split the record so one part waits in the buffer.
			f.Write(off[j], rec[:7])
			if _, ok := f.Next(); ok {
				t.Fatal("unit from a partial record")
			}
			f.Write(off[j]+7, rec[7:])
			u, ok := f.Next()
			if !ok || u.Kind != FrameRecord || !bytes.Equal(u.Data, rec) {
				t.Fatalf("round %d framer %d: got %v %d bytes", i, j, u.Kind, len(u.Data))
			}
			if _, ok := f.Next(); ok {
				t.Fatal("extra unit")
			}
			if f.store != nil || f.buf != nil {
				t.Fatalf("idle framer keeps %d bytes", cap(f.store))
			}
			off[j] += int64(len(rec))
		}
	}
}

// TestFramerDropsLargeBuffer checks that a buffer above maxPooledStore is
// not put back in the pool.
func TestFramerDropsLargeBuffer(t *testing.T) {
	f := NewFramer(KindHTTP, false)
	body := bytes.Repeat([]byte{'x'}, 2*maxPooledStore)
	head := []byte("HTTP/1.1 200 OK\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n")
	f.Write(0, append(head, body...))
	var n int
	for {
		u, ok := f.Next()
		if !ok {
			break
		}
		n++
		_ = u
	}
	if n != 2 {
		t.Fatalf("%d units, want head and body", n)
	}
	for range 10 {
		if box, ok := stores.Get().(*[]byte); ok && cap(*box) > maxPooledStore {
			t.Fatalf("pool holds a %d-byte buffer", cap(*box))
		}
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// BenchmarkFramerRecords frames a stream of records delivered in
// segments that split them, as TCP does.
func BenchmarkFramerRecords(b *testing.B) {
	var stream []byte
	for i := range 64 {
		stream = append(stream, testRecord(0x17, bytes.Repeat([]byte{byte(i)}, 200+50*i))...)
	}
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		f := NewFramer(KindLonglink, true)
		for off := 0; off < len(stream); off += 1400 {
			f.Write(int64(off), stream[off:min(off+1400, len(stream))])
			for {
				if _, ok := f.Next(); !ok {
					break
				}
			}
		}
	}
}
