package report

import (
	"strings"
	"testing"
)

func TestDiffSmall(t *testing.T) {
	a := &Report{Findings: []Finding{{ID: "f1", DataType: "device_id", URI: "/x", Evidence: Evidence{Value: "A1"}}}}
	b := &Report{Findings: []Finding{
		{ID: "f1", DataType: "device_id", URI: "/x", Evidence: Evidence{Value: "A1"}},
		{ID: "f2", DataType: "location", URI: "/y", Evidence: Evidence{Value: "1.5,2.5", FieldPath: "3+4"}},
	}}
	d := Diff(a, b, "off", "on")
	if len(d.OnlyA.DataTypes) != 0 || len(d.OnlyB.DataTypes) != 1 || d.OnlyB.DataTypes[0].Key != "location" {
		t.Fatalf("got %+v", d)
	}
	if d.OnlyB.DataTypes[0].Findings[0] != "f2" || len(d.OnlyB.ReqTypes) != 1 || d.OnlyB.ReqTypes[0].Key != "/y" {
		t.Errorf("evidence: got %+v", d.OnlyB)
	}
	var text strings.Builder
	if err := d.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	want := "only in off:\n  data types: none\n  request types: none\n  values: none\n" +
		"only in on:\n  data types:\n    location (1) [f2; e.g. /y 3+4]\n  request types:\n    /y (1)\n  values:\n    location=1.5,2.5 (1) [f2; e.g. /y 3+4]\n"
	if text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
}

func TestOnly(t *testing.T) {
	r := &Report{
		Runs:     []Run{{Label: "off"}, {Label: "on"}},
		Requests: []Request{{Run: "off"}, {Run: "on"}, {Run: "on"}},
		Findings: []Finding{{ID: "a", Run: "on"}, {ID: "b", Run: "off"}},
	}
	on := r.Only("on")
	if len(on.Runs) != 1 || len(on.Requests) != 2 || len(on.Findings) != 1 || on.Findings[0].ID != "a" {
		t.Errorf("Only(on) = %+v", on)
	}
	if r.Only() != r {
		t.Error("Only() is not the report itself")
	}
	if err := r.CheckRuns("on", "nosuch"); err == nil || !strings.Contains(err.Error(), `no run "nosuch"`) {
		t.Errorf("CheckRuns: %v", err)
	}
	if err := r.CheckRuns("off", "on"); err != nil {
		t.Errorf("CheckRuns of held runs: %v", err)
	}
}
