package analyze

import (
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

func TestDiffSmall(t *testing.T) {
	a := &report.Report{Findings: []report.Finding{{ID: "f1", DataType: "device_id", URI: "/x", Evidence: report.Evidence{Value: "A1"}}}}
	b := &report.Report{Findings: []report.Finding{
		{ID: "f1", DataType: "device_id", URI: "/x", Evidence: report.Evidence{Value: "A1"}},
		{ID: "f2", DataType: "location", URI: "/y", Evidence: report.Evidence{Value: "1.5,2.5", FieldPath: "3+4"}},
	}}
	d := Diff(a, b, "off", "on")
	if len(d.OnlyA.DataTypes) != 0 || len(d.OnlyB.DataTypes) != 1 || d.OnlyB.DataTypes[0].Key != "location" {
		t.Fatalf("got %+v", d)
	}
	if d.OnlyB.DataTypes[0].Findings[0] != "f2" || len(d.OnlyB.ReqTypes) != 1 || d.OnlyB.ReqTypes[0].Key != "/y" {
		t.Errorf("evidence: got %+v", d.OnlyB)
	}
}

// TestDiffPermissions: a permission-off run and a permission-on run of the
// shared logs differ in location.
func TestDiffPermissions(t *testing.T) {
	// All logs, so each run is its own segment.
	rep := sharedReport(t)
	d := Diff(Select(rep, "startup_data_1"), Select(rep, "startup_permissions_on_1"), "off", "on")
	found := false
	for _, it := range d.OnlyB.DataTypes {
		found = found || it.Key == "location"
	}
	if !found {
		t.Errorf("location not only in the permission-on run: %+v", d.OnlyB.DataTypes)
	}
	for _, it := range d.OnlyA.DataTypes {
		if it.Key == "location" {
			t.Errorf("location in the permission-off run")
		}
	}
}
