package main

import (
	"strings"
	"testing"
)

const testModule = "example.com/m"

// events is a go test -json stream: one pass, one skip under race, and
// package a's summary.
const events = `{"Action":"run","Package":"example.com/m/a","Test":"TestOK"}
{"Action":"output","Package":"example.com/m/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"pass","Package":"example.com/m/a","Test":"TestOK"}
{"Action":"run","Package":"example.com/m/a","Test":"TestAllocs"}
{"Action":"output","Package":"example.com/m/a","Test":"TestAllocs","Output":"    a_test.go:9: the race detector allocates\n"}
{"Action":"skip","Package":"example.com/m/a","Test":"TestAllocs"}
{"Action":"output","Package":"example.com/m/a","Output":"ok  \texample.com/m/a\t0.1s\n"}
{"Action":"pass","Package":"example.com/m/a"}
`

const failing = `{"Action":"run","Package":"example.com/m/b","Test":"TestBad"}
{"Action":"output","Package":"example.com/m/b","Test":"TestBad","Output":"    b_test.go:3: got 1, want 2\n"}
{"Action":"fail","Package":"example.com/m/b","Test":"TestBad"}
{"Action":"output","Package":"example.com/m/b","Output":"FAIL\texample.com/m/b\t0.1s\n"}
{"Action":"fail","Package":"example.com/m/b"}
`

func TestGate(t *testing.T) {
	const allowRace = "# comment\nrace ./a TestAllocs allocation counts mean nothing under the race detector\n"
	for _, tc := range []struct {
		name, allow, mode, in string
		wantErr               bool
		wantOut               []string
	}{
		{"skip allowed", allowRace, "race", events, false, []string{"ok  \texample.com/m/a", "allowed: allocation counts", "tests: 1 passed, 0 failed, 1 skipped"}},
		{"skip allowed in another mode only", allowRace, "all", events, true, []string{"not on the allow-list", "the race detector allocates"}},
		{"skip not listed", "", "race", events, true, []string{"not on the allow-list"}},
		{"pattern", "all ./a Test* every test here may skip for a good reason\n", "all", events, false, nil},
		{"other package", "all ./b TestAllocs a reason\n", "all", events, true, nil},
		{"failure printed", "", "all", failing, true, []string{"got 1, want 2", "FAIL\texample.com/m/b", "0 passed, 1 failed"}},
		{"build failure", "", "all", `{"ImportPath":"example.com/m/c","Action":"build-output","Output":"c.go:1: syntax error\n"}` + "\n" + `{"ImportPath":"example.com/m/c","Action":"build-fail"}` + "\n", true, []string{"syntax error"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, err := parseAllow(strings.NewReader(tc.allow), testModule)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			res, err := gate(strings.NewReader(tc.in), &out)
			if err != nil {
				t.Fatal(err)
			}
			err = res.check(&out, es, tc.mode)
			if (err != nil) != tc.wantErr {
				t.Errorf("error %v, want error %v; output:\n%s", err, tc.wantErr, out.String())
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// TestParseAllowRejects checks that a missing tool is not accepted as a
// reason, and that malformed lines are errors.
func TestParseAllowRejects(t *testing.T) {
	for _, line := range []string{
		"all ./a TestTshark tshark not installed",
		"all ./a TestBrowser chromium missing",
		"all ./a TestX",
		"sometimes ./a TestX a reason",
		"all ./a Test[ a reason",
	} {
		if _, err := parseAllow(strings.NewReader(line+"\n"), testModule); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
	es, err := parseAllow(strings.NewReader("race . TestX a reason\n"), testModule)
	if err != nil || len(es) != 1 || es[0].pkg != testModule {
		t.Errorf("root package: %v, %+v", err, es)
	}
}

func TestModulePath(t *testing.T) {
	if got := modulePath("// c\nmodule example.com/m\n\ngo 1.26\n"); got != testModule {
		t.Errorf("got %q, want %q", got, testModule)
	}
}
