package analyze

import (
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

// TestDiffPermissions: a permission-off run and a permission-on run of the
// shared logs differ in location.
func TestDiffPermissions(t *testing.T) {
	// All logs, so each run is its own segment.
	rep := sharedReport(t)
	d := report.Diff(rep.Only("startup_data_1"), rep.Only("startup_permissions_on_1"), "off", "on")
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
