package business

import (
	"bytes"
	"errors"
	"testing"

	"github.com/wxaudit/wxaudit/internal/testkit"
)

// TestInflatePooledReuse checks that a pooled decompressor left in any
// state (a bomb cut at its cap, a corrupt stream, a bad header) inflates
// the next stream exactly, and that caps stay enforced.
func TestInflatePooledReuse(t *testing.T) {
	want := bytes.Repeat([]byte("pooled zlib reader "), 500)
	good := zlibCompress(want)
	bomb := zlibCompress(make([]byte, 4<<20))
	badSum := append([]byte(nil), good...)
	badSum[len(badSum)-1] ^= 1
	for i, in := range [][]byte{bomb, {0x78, 0x9c, 1}, {0, 0}, badSum, nil} {
		_, err := inflateZlib(in, 1<<20, nil)
		if err == nil {
			t.Fatalf("input %d accepted", i)
		}
		if i == 0 && !errors.Is(err, errTooLarge) {
			t.Fatalf("bomb: %v, want ErrTooLarge", err)
		}
		out, err := inflateZlib(good, int64(len(want)), nil)
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("after input %d: %d bytes, %v", i, len(out), err)
		}
		if _, err := inflateZlib(good, int64(len(want))-1, nil); !errors.Is(err, errTooLarge) {
			t.Fatalf("cap one below the size: %v, want ErrTooLarge", err)
		}
	}
	if _, err := inflateZlib(good, -1, nil); !errors.Is(err, errTooLarge) {
		t.Fatalf("negative cap: %v, want ErrTooLarge", err)
	}
	if out, err := inflateZlib(zlibCompress(nil), 0, nil); err != nil || len(out) != 0 {
		t.Fatalf("empty stream: %q, %v", out, err)
	}
}

// TestInflateScratchBounded checks that the pool keeps no scratch buffer
// above maxPooledScratch and that results do not share it.
func TestInflateScratchBounded(t *testing.T) {
	big := bytes.Repeat([]byte{'x'}, 2*maxPooledScratch)
	zbig := zlibCompress(big)
	small := zlibCompress([]byte("tiny"))
	for range 3 {
		out, err := inflateZlib(zbig, DefaultMaxInflate, nil)
		if err != nil || !bytes.Equal(out, big) {
			t.Fatalf("big: %d bytes, %v", len(out), err)
		}
		a, _ := inflateZlib(small, 100, nil)
		b, _ := inflateZlib(small, 100, nil)
		if string(a) != "tiny" || string(b) != "tiny" || &a[0] == &b[0] || cap(a) != 4 {
			t.Fatalf("small results %q %q (cap %d) share memory or are oversized", a, b, cap(a))
		}
	}
	inf := inflaters.Get().(*inflater)
	defer inflaters.Put(inf)
	if cap(inf.buf) > maxPooledScratch {
		t.Fatalf("pooled scratch of %d bytes", cap(inf.buf))
	}
}

// TestInflateAllocs pins the allocations of one small inflation: the
// output, and the adler32 digest that zlib's Reset creates; the
// decompressor, its 32 KiB window and the scratch come from the pool.
func TestInflateAllocs(t *testing.T) {
	if testkit.Race {
		t.Skip("the race detector allocates")
	}
	plain := bytes.Repeat([]byte("abc"), 300)
	z := zlibCompress(plain)
	inflateZlib(z, DefaultMaxInflate, nil) // fill the pool
	n := testing.AllocsPerRun(100, func() {
		if _, err := inflateZlib(z, DefaultMaxInflate, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%v allocations", n)
	if n > 3 {
		t.Fatalf("inflate: %v allocations, want at most 3", n)
	}
}

// TestOpenCBCCachedAllocs checks that opening with a AuthState reuses the
// key's AES state and CBC decrypter: what remains is the output, the
// padding check's block and the key, which escapes through the interfaces.
func TestOpenCBCCachedAllocs(t *testing.T) {
	if testkit.Race {
		t.Skip("the race detector allocates")
	}
	key := [16]byte{7}
	c := SealCBC(key, bytes.Repeat([]byte{1}, 100))
	st := &AuthState{}
	st.cbcCipher(key)
	n := testing.AllocsPerRun(100, func() {
		if _, err := openCBCInto(st.cbcCipher(key), key, c, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%v allocations", n)
	if n > 3 {
		t.Fatalf("openCBCInto: %v allocations, want at most 3", n)
	}
}
