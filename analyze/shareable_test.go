package analyze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/claims"
	"github.com/wxaudit/wxaudit/report"
)

// TestSharedReportShareable writes the report of the 12 shared logs and
// checks it as a reader would share it: every link resolves, and the
// account's uin and device id appear in no shareable file.
func TestSharedReportShareable(t *testing.T) {
	rep := *sharedReport(t) // a copy: the shared report is not changed
	rep.Claims = claims.Compute(&rep, claims.Options{})
	dir := t.TempDir()
	if err := rep.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	bad, err := report.DanglingLinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range bad {
		if i == 10 {
			t.Fatalf("%d dangling links in all", len(bad))
		}
		t.Error("dangling link: " + b)
	}
	// The account's own identifiers, as the BaseRequest states them.
	secret := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Evidence.Rule == "detector:base-request" && (f.DataType == "account_id" || f.DataType == "device_id") && len(f.Evidence.Value) >= 6 {
			secret[f.Evidence.Value] = true
		}
	}
	if len(secret) == 0 {
		t.Fatal("no uin or device id found to check")
	}
	for _, name := range []string{report.HTMLFile, report.MarkdownFile, report.ClaimsFile, report.GapsFile, report.SummaryFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			if name == report.GapsFile {
				continue // no policy applied here
			}
			t.Fatal(err)
		}
		for v := range secret {
			if strings.Contains(string(b), v) {
				t.Errorf("%s shows the account's %q", name, v)
			}
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, report.HTMLFile)); err != nil || fi.Size() > 5<<20 {
		t.Errorf("report.html: %v, %d bytes (limit 5 MB)", err, fi.Size())
	}
}
