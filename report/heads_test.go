package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHeadsSpoolPrivateAndRemoved: the requests' heads wait in an
// owner-only file inside the folder being built, which is gone from the
// finished folder; the evidence headings read back from it.
func TestHeadsSpoolPrivateAndRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rep")
	b, err := Create(dir, RenderOptions{Reveal: true})
	if err != nil {
		t.Fatal(err)
	}
	q := Request{ID: 0, Run: "r", Seq: 1, Feature: "messaging", Recipient: "wechat", URI: "/cgi-bin/x", Source: "in.jsonl:7", Payload: []byte("secret")}
	if err := b.AddRequest(&q); err != nil {
		t.Fatal(err)
	}
	if err := b.AddFinding(&Finding{ID: "f1", Request: 0, Run: "r", DataType: "device_id", Evidence: Evidence{Value: "v"}}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(b.heads.path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want 0600", headsFile, st.Mode().Perm())
	}
	if err := b.Finish(&Report{Runs: []Run{{Label: "r", Requests: 1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, headsFile)); !os.IsNotExist(err) {
		t.Errorf("%s left in the report folder (%v)", headsFile, err)
	}
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"in.jsonl:7", "/cgi-bin/x"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks the request's %q", want)
		}
	}
}
