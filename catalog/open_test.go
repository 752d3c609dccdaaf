package catalog

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "cat.yaml")
	csv := filepath.Join(dir, "published.csv")
	os.WriteFile(yml, []byte("endpoints:\n  - {type: 4242, path: /x/y, feature: payments}\n"), 0o644)
	os.WriteFile(csv, []byte("id,path\n4243,/x/z\n"), 0o644)
	c, err := Open(yml, csv)
	if err != nil {
		t.Fatal(err)
	}
	if p, f := c.Resolve(4242, ""); p != "/x/y" || f != "payments" {
		t.Errorf("from the YAML: Resolve(4242) = %q %q", p, f)
	}
	if p := c.Path(4243); p != "/x/z" {
		t.Errorf("from the table: Path(4243) = %q", p)
	}
	if c, err := Open("", ""); err != nil || c.Path(4242) != "" {
		t.Errorf(`Open("", "") = %v, %v; want the embedded catalog`, c, err)
	}
	for _, args := range [][2]string{{filepath.Join(dir, "missing"), ""}, {"", filepath.Join(dir, "missing")}, {csv, ""}} {
		if _, err := Open(args[0], args[1]); err == nil {
			t.Errorf("Open(%q, %q) succeeded", args[0], args[1])
		}
	}
}
