package analyze

import (
	"context"
	"os"
	"testing"
)

func TestExploreShared(t *testing.T) {
	if os.Getenv("WX_EXPLORE") == "" {
		t.Skip("exploration")
	}
	rep, err := Run(context.Background(), sharedInputs(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Runs {
		t.Logf("%s (+%d, extends %s, %d req): %v", r.Label, r.SkipLines, r.Extends, r.Requests, rep.DataTypes(r.Label))
	}
	if os.Getenv("WX_EXPLORE") == "dump" {
		for _, f := range rep.Findings {
			t.Logf("%s %s %s %s %s %q %s", f.Run, f.DataType, f.URI, f.Evidence.FieldPath, f.Evidence.Rule, f.Evidence.Value, f.Confidence)
		}
	}
	if err := rep.WriteDir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}
