package lazyre

import (
	"strings"
	"sync"
	"testing"
)

func TestLazy(t *testing.T) {
	r := New(`^a(b+)$`)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !r.MatchString("abb") || r.MatchString("ac") {
				t.Error("MatchString")
			}
		}()
	}
	wg.Wait()
	if m := r.FindStringSubmatch("abbb"); len(m) != 2 || m[1] != "bbb" {
		t.Errorf("FindStringSubmatch = %q", m)
	}
	if expr, err := CompileAll(); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
}

func TestCompileAllReportsBad(t *testing.T) {
	keepRegistry(t)
	bad := New(`a(`)
	expr, err := CompileAll()
	if err == nil || expr != bad.String() {
		t.Fatalf("CompileAll = %q, %v; want the bad expression", expr, err)
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "a(") {
			t.Errorf("first use of a bad expression: panic %v", p)
		}
	}()
	bad.MatchString("a")
	t.Error("no panic")
}

func TestNeeding(t *testing.T) {
	keepRegistry(t)
	r := New(`(Type|Range)Error: \S`).Needing("Error: ")
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"TypeError: x is undefined", true},
		{"at f: RangeError: y", true},
		{"TypeError:x", false},
		{"no error here", false},
	} {
		if got := r.MatchString(c.s); got != c.want {
			t.Errorf("MatchString(%q) = %v", c.s, got)
		}
		if got := r.FindStringSubmatch(c.s) != nil; got != c.want {
			t.Errorf("FindStringSubmatch(%q) found %v", c.s, got)
		}
		if err := CheckNeeds(c.s); err != nil {
			t.Error(err)
		}
	}
	// A wrong claim hides a match, and CheckNeeds says so.
	wrong := New(`colou?r`).Needing("colour")
	if wrong.MatchString("color") {
		t.Fatal("the prefilter did not apply")
	}
	if err := CheckNeeds("color"); err == nil || !strings.Contains(err.Error(), "colou?r") {
		t.Errorf("CheckNeeds(color) = %v, want the wrong claim named", err)
	}
}

// keepRegistry restores the expressions registered so far when t ends, so
// that a test's own (bad or wrongly declared) ones do not reach CompileAll
// and CheckNeeds in later tests.
func keepRegistry(t *testing.T) {
	mu.Lock()
	saved := all
	mu.Unlock()
	t.Cleanup(func() {
		mu.Lock()
		all = saved
		mu.Unlock()
	})
}
