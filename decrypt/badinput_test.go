package decrypt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// TestTruncatedCapture cuts the real capture at many points: every cut
// yields the payloads before it and an error wrapping
// io.ErrUnexpectedEOF (or none when the cut falls between frames).
func TestTruncatedCapture(t *testing.T) {
	dir := fixtures.Dir(t)
	full, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	keys := loadKeys(t, dir+"/"+realKeylog)
	prev := -1
	for cut := 24; cut < len(full); cut += 997 {
		n := 0
		st, err := Run(context.Background(), bytes.NewReader(full[:cut]), Options{Keys: keys}, func(*payload.Payload) error { n++; return nil })
		if st == nil {
			t.Fatalf("cut %d: no stats: %v", cut, err)
		}
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut %d: error %v does not wrap io.ErrUnexpectedEOF", cut, err)
		}
		if n < prev {
			t.Fatalf("cut %d: %d payloads, fewer than %d at a shorter cut", cut, n, prev)
		}
		prev = n
	}
}

// TestWrongKeys: a key log whose keys are all wrong opens nothing and
// says why ("tag mismatch" where a key was tried, "no key" elsewhere).
func TestWrongKeys(t *testing.T) {
	dir := fixtures.Dir(t)
	capture, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	logText, err := os.ReadFile(dir + "/" + realKeylog)
	if err != nil {
		t.Fatal(err)
	}
	// Flip the first hex digit of every OUTER key: same tails, wrong keys.
	var b strings.Builder
	for _, line := range strings.Split(string(logText), "\n") {
		if i := strings.Index(line, `"key":"`); i >= 0 && strings.Contains(line, `"OUTER"`) {
			j := i + len(`"key":"`)
			c := line[j]
			if c == '0' {
				c = '1'
			} else {
				c = '0'
			}
			line = line[:j] + string(c) + line[j+1:]
		}
		b.WriteString(line + "\n")
	}
	keys, err := keylog.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	ps, st := decryptBytes(t, capture, keys)
	if st.RecordsDecrypted != 0 {
		t.Errorf("%d records decrypted with wrong keys", st.RecordsDecrypted)
	}
	if st.RecordsNotDecrypted[taxonomy.ReasonTagMismatch] == 0 {
		t.Errorf("no tag mismatch reported: %v", st.RecordsNotDecrypted)
	}
	for _, p := range ps {
		if p.Link != payload.LinkHTTP {
			t.Errorf("payload from an undecrypted link: %+v", p)
		}
	}
}

// TestGarbageInputs: inputs that are not captures fail with an error and
// no panic; captures of garbage packets count and skip them.
func TestGarbageInputs(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("x"), []byte("not a capture at all, just text"), bytes.Repeat([]byte{0xff}, 1000)} {
		if _, err := Run(context.Background(), bytes.NewReader(in), Options{}, func(*payload.Payload) error { return nil }); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestEmitErrorStops: an error from emit (e.g. a closed pipe) ends the run
// and is returned.
func TestEmitErrorStops(t *testing.T) {
	boom := errors.New("boom")
	_, err := Run(context.Background(), bytes.NewReader(seedCapture(t)), Options{}, func(*payload.Payload) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}
