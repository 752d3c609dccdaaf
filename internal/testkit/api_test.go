package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestAPI(t *testing.T) {
	dir := t.TempDir()
	src := `package p

type T struct {
	Exported, hidden int
	Embedded
	*Other
}

type Embedded struct{}
type Other struct{}
type hiddenType struct{ Field int }

type I interface{ M(); m() }

func (T) Method()          {}
func (*hiddenType) Method() {}
func F()                    {}
func f()                    {}

const C, c = 1, 2

var V int
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\n\nfunc TestX() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := `const C
field T.Embedded
field T.Exported
field T.Other
func F
method I.M
method T.Method
type Embedded
type I
type Other
type T
var V
`
	if got := API(t, dir); got != want {
		t.Errorf("API:\n%s\nwant:\n%s", got, want)
	}
}
