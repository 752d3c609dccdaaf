package hexflow

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRoundTrip(t *testing.T) {
	c := Conversation{Header: "client=10.0.0.2:40000 server=203.0.113.5:80", Flows: []Flow{
		{FromClient: true, Data: []byte("POST /mmtls/00000001 HTTP/1.1\r\n\r\n\x19\xf1\x04")},
		{FromClient: false, Data: bytes.Repeat([]byte{0xab}, 37)},
		{FromClient: true, Data: []byte{1}},
		{FromClient: true, Data: []byte{2}, Gap: "3 bytes not captured"},
	}}
	var buf bytes.Buffer
	if err := Write(&buf, c); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty input"},
		{"no header", ">>> Flow 1 (client to server)\n", "line 1"},
		{"data first", "# wxaudit flows v1\n00000000  00\n", "line 2: data before"},
		{"bad numbering", "# wxaudit flows v1\n>>> Flow 2 (client to server)\n", "line 2: bad flow header"},
		{"bad direction", "# wxaudit flows v1\n>>> Flow 1 (client to client)\n", "bad direction"},
		{"bad byte", "# wxaudit flows v1\n>>> Flow 1 (client to server)\n00000000  0g\n", "line 3: bad byte"},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("# wxaudit flows v1 x\n>>> Flow 1 (client to server)\n00000000  50 4f  |PO|\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, c); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if !cmp.Equal(normalize(c), normalize(again)) {
			t.Fatalf("write/parse not idempotent")
		}
	})
}

// normalize drops the difference between nil and empty data.
func normalize(c Conversation) Conversation {
	for i := range c.Flows {
		if len(c.Flows[i].Data) == 0 {
			c.Flows[i].Data = nil
		}
	}
	c.Header = strings.TrimSpace(c.Header)
	return c
}
