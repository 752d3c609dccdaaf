package bufpool

import (
	"bytes"
	"testing"
)

func TestGetSizes(t *testing.T) {
	for _, tc := range []struct{ n, cap int }{
		{0, 0}, {1, 1}, {511, 511}, {512, 512}, {513, 1024}, {1000, 1024}, {1024, 1024},
		{1 << 20, 1 << 20}, {1<<20 + 1, 1<<20 + 1},
	} {
		b := Get(tc.n)
		if len(b) != tc.n || cap(b) != tc.cap {
			t.Errorf("Get(%d): len %d cap %d, want len %d cap %d", tc.n, len(b), cap(b), tc.n, tc.cap)
		}
	}
}

func TestPutGetReuses(t *testing.T) {
	// sync.Pool may drop what it holds at any time, so the reuse is
	// checked over several tries.
	for range 100 {
		b := Get(3000)
		Put(b)
		c := Get(2100)
		if cap(c) != 4096 {
			t.Fatalf("Get(2100) cap %d, want 4096", cap(c))
		}
		if &c[:1][0] == &b[:1][0] {
			return
		}
	}
	t.Error("Get never handed back the buffer Put")
}

func TestPutIgnoresOtherSizes(t *testing.T) {
	Put(make([]byte, 100, 700)) // not a power of two
	Put(make([]byte, 10, 256))  // below the smallest class
	Put(make([]byte, 0, 4<<20)) // above the largest
	for range 10 {
		if b := Get(600); cap(b) != 1024 {
			t.Fatalf("Get(600) cap %d after foreign Puts, want 1024", cap(b))
		}
	}
}

func TestAppend(t *testing.T) {
	var got, want []byte
	for i := range 200 {
		chunk := bytes.Repeat([]byte{byte(i)}, i*37%900)
		got = Append(got, chunk)
		want = append(want, chunk...)
		if !bytes.Equal(got, want) {
			t.Fatalf("after %d appends: content differs", i+1)
		}
	}
}

func TestClone(t *testing.T) {
	src := bytes.Repeat([]byte("abc"), 500)
	c := Clone(src)
	src[0] = 'x'
	if c[0] != 'a' || len(c) != 1500 {
		t.Errorf("Clone shares or truncates: %q... len %d", c[:3], len(c))
	}
}
