package synth

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const manifestLine = `{"conn":{"client":"10.0.0.1:40000","server":"43.1.2.3:80"},"link":"shortlink","direction":"request","record_seq":2,"uri":"/cgi-bin/micromsg-bin/newsendmsg","req_type":522,"payload":"0a03616263","step":{"feature":"messaging","action":"send"},"planted":[{"data_type":"message_content","field_path":"1","value":"abc","encoding":"string"}],"round":0}`

func TestReadManifest(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		entries int
		errLine int // 0: no error
	}{
		{"empty", "", 0, 0},
		{"one", manifestLine + "\n", 1, 0},
		{"no final newline", manifestLine, 1, 0},
		{"blank lines and CRLF", "\n" + manifestLine + "\r\n\r\n" + manifestLine + "\n", 2, 0},
		{"not json", manifestLine + "\nnope\n", 1, 2},
		{"two objects on a line", manifestLine + manifestLine + "\n", 0, 1},
		{"bad hex", `{"payload":"zz"}` + "\n", 0, 1},
		{"wrong type", `{"round":"x"}`, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := ReadManifest(strings.NewReader(tt.in))
			if len(es) != tt.entries {
				t.Errorf("%d entries, want %d", len(es), tt.entries)
			}
			var me *manifestError
			switch {
			case tt.errLine == 0 && err != nil:
				t.Fatalf("error %v", err)
			case tt.errLine != 0 && (!errors.As(err, &me) || me.Line != tt.errLine):
				t.Fatalf("error %v, want one on line %d", err, tt.errLine)
			}
		})
	}
}

// TestReadManifestPrefixes: every strict prefix of a one-line manifest is
// an error (or empty), never a wrong entry.
func TestReadManifestPrefixes(t *testing.T) {
	for i := 1; i < len(manifestLine); i++ {
		es, err := ReadManifest(strings.NewReader(manifestLine[:i]))
		if err == nil || len(es) != 0 {
			t.Fatalf("prefix %d: %d entries, error %v", i, len(es), err)
		}
		if i > 1 && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "unexpected end") {
			t.Fatalf("prefix %d: %v, want unexpected EOF", i, err)
		}
	}
}

func TestReadManifestLongLine(t *testing.T) {
	long := `{"payload":"` + strings.Repeat("00", maxManifestLine/2+1) + `"}`
	_, err := ReadManifest(strings.NewReader(long))
	var me *manifestError
	if !errors.As(err, &me) || me.Line != 1 || !strings.Contains(err.Error(), "too long") {
		t.Fatalf("error %v", err)
	}
}

// TestManifestWriteRead: what the generator writes reads back.
func TestManifestWriteRead(t *testing.T) {
	_, _, _, m, res := generate(t, Options{Scenario: "messaging", Seed: 5})
	es, err := ReadManifest(bytes.NewReader(m))
	if err != nil || len(es) != res.Payloads {
		t.Fatalf("%d entries (result %d), %v", len(es), res.Payloads, err)
	}
	var buf bytes.Buffer
	w := newManifestWriter(&buf)
	for i := range es {
		if err := w.write(&es[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(m), buf.String()); d != "" {
		t.Errorf("rewritten manifest differs (-generated +rewritten):\n%s", d)
	}
}

// FuzzReadManifest: ReadManifest never panics, and what it reads writes
// back and reads again to the same entries.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(manifestLine + "\n"))
	f.Add([]byte("\n\n" + manifestLine + "\r\n" + manifestLine))
	f.Add([]byte(`{"payload":"00","planted":null,"record_seq":1}`))
	f.Add([]byte(`{"payload":"zz"}`))
	f.Add([]byte("{}\n[]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := ReadManifest(bytes.NewReader(b))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		w := newManifestWriter(&buf)
		for i := range es {
			if err := w.write(&es[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.flush(); err != nil {
			t.Fatal(err)
		}
		again, err := ReadManifest(&buf)
		if err != nil {
			t.Fatalf("rewritten manifest does not read: %v", err)
		}
		if d := cmp.Diff(es, again, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("entries change on rewrite (-first +second):\n%s", d)
		}
	})
}
