package sniff

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestBytes(t *testing.T) {
	longHex := strings.Repeat("ab", PeekSize) // cut by the peek
	tests := []struct {
		name string
		in   []byte
		want Kind
	}{
		{"empty", nil, Empty},
		{"blank", []byte(" \n\n"), Empty},
		{"pcap le micro", []byte("\xd4\xc3\xb2\xa1\x02\x00\x04\x00"), Capture},
		{"pcap be micro", []byte("\xa1\xb2\xc3\xd4"), Capture},
		{"pcap le nano", []byte("\x4d\x3c\xb2\xa1"), Capture},
		{"pcap be nano", []byte("\xa1\xb2\x3c\x4d"), Capture},
		{"pcapng", []byte("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00"), Capture},
		{"request log", []byte(`{"data": "0a01", "req_id": 1, "req_type": "/cgi-bin/x"}` + "\n"), RequestLog},
		{"request log cut in data", []byte(`{"data": "` + longHex), RequestLog},
		{"request log data null", []byte(`{"data": null}`), RequestLog},
		{"payloads", []byte(`{"capture":"c.pcap","frames":[1],"link":"shortlink","direction":"request","payload":"` + longHex), Payloads},
		{"keylog output", []byte(`{"metadata": "00", "plaintext": "0a"}`), KeylogOutput},
		{"frida", []byte(`{"layer":"INNER","encrypt":true,"key":"00","nonce":"00","tail":"00"}`), FridaKeylog},
		{"secrets header", []byte("# wxaudit-secrets v1\nMMTLS_SECRET aa bb\n"), SecretsKeylog},
		{"secrets no header", []byte("WECHAT_SESSION_KEY 00112233445566778899aabbccddeeff\n"), SecretsKeylog},
		{"other json", []byte(`{"a": {"data": 1}}`), JSON},
		{"json array", []byte(`[1,2]`), JSON},
		{"text", []byte("hello\nworld\n"), Text},
		{"binary", []byte{0, 1, 2, 3, 4, 5}, Binary},
		{"zeros", make([]byte, 100), Binary},
	}
	for _, tt := range tests {
		if got := Bytes(tt.in); got.Kind != tt.want || got.Gzip {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
		if tt.want == Empty && len(tt.in) == 0 {
			continue
		}
		if got := Bytes(gz(tt.in)); got.Kind != tt.want || !got.Gzip {
			t.Errorf("%s gzipped: got %+v, want gzip %v", tt.name, got, tt.want)
		}
	}
	// A gzip stream cut after its header, or inflating to nothing.
	if got := Bytes(gz(nil)); got.Kind != Empty || !got.Gzip {
		t.Errorf("gzip of nothing: %+v", got)
	}
	if got := Bytes([]byte{0x1f, 0x8b, 8}); got.Kind != Binary || !got.Gzip {
		t.Errorf("cut gzip header: %+v", got)
	}
	if got := Bytes(gz(gz([]byte("x")))); got.Kind != Binary {
		t.Errorf("gzip in gzip: %+v", got)
	}
}

func TestReaderDoesNotConsume(t *testing.T) {
	in := []byte(`{"data": "00"}` + "\n")
	br := bufio.NewReader(bytes.NewReader(in))
	r, err := Reader(br)
	if err != nil || r.Kind != RequestLog {
		t.Fatalf("Reader: %+v %v", r, err)
	}
	rest := new(bytes.Buffer)
	rest.ReadFrom(br)
	if !bytes.Equal(rest.Bytes(), in) {
		t.Fatalf("consumed: %q", rest.Bytes())
	}
}

func TestPath(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "rep")
	os.Mkdir(rep, 0o700)
	os.WriteFile(filepath.Join(rep, "findings.jsonl"), nil, 0o600)
	capf := filepath.Join(dir, "c.pcap.gz")
	os.WriteFile(capf, gz([]byte("\xd4\xc3\xb2\xa1")), 0o600)
	for _, tt := range []struct {
		path string
		want Result
	}{
		{rep, Result{Kind: ReportFolder}},
		{dir, Result{Kind: Folder}},
		{capf, Result{Kind: Capture, Gzip: true}},
		{os.DevNull, Result{Kind: Unknown}},
	} {
		got, err := Path(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v %v, want %+v", tt.path, got, err, tt.want)
		}
	}
	if _, err := Path(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestMismatch(t *testing.T) {
	e := Mismatch("cap.pcapng", Result{Kind: Capture}, "payload JSON Lines")
	if e.Error() != "cap.pcapng is a capture, not payload JSON Lines" || !strings.Contains(e.Hint(), "run wxaudit decrypt") {
		t.Fatalf("%q / %q", e.Error(), e.Hint())
	}
}

func FuzzBytes(f *testing.F) {
	f.Add([]byte(`{"data": null}`))
	f.Add(gz([]byte("\x0a\x0d\x0d\x0a")))
	f.Add([]byte("# wxaudit-secrets v1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := Bytes(b)
		if r.Kind == Unknown || r.Kind > Binary {
			t.Fatalf("kind %d", r.Kind)
		}
	})
}
