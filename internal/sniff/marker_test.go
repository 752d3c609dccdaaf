package sniff_test

import (
	"testing"

	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/report"
)

// TestReportMarker: the file sniff looks for in a report folder is the one
// the report stage writes. (An external test package: sniff itself must
// not import report.)
func TestReportMarker(t *testing.T) {
	if sniff.ReportMarker != report.FindingsFile {
		t.Errorf("sniff.ReportMarker %q, report.FindingsFile %q", sniff.ReportMarker, report.FindingsFile)
	}
}
