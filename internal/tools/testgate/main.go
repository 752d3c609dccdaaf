// Command testgate reads `go test -json` on standard input, prints what a
// plain `go test` would (build errors, failing tests' output, one line per
// package), and fails when a test failed or skipped. A skip passes only
// when the test is on the allow-list file with its reason: CI installs
// every tool its tests need, so "tool missing" is never a reason.
//
// Usage:
//
//	go test -json ./... | go run ./internal/tools/testgate -allow .ci/skips [-mode race]
//
// The allow-list has one test a line, "MODE PACKAGE TEST REASON": MODE is
// "all" or "race" (only under -mode race), PACKAGE is a folder relative to
// the module root ("./business"), TEST is a test name or a path.Match
// pattern over it, and REASON is the rest of the line. Blank lines and
// lines starting with "#" are ignored.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"
)

func main() {
	allow := flag.String("allow", ".ci/skips", "the allow-list of tests that may skip")
	mode := flag.String("mode", "all", `the run's mode: "all" or "race"`)
	module := flag.String("module", "", "the module path (default: read from go.mod)")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *allow, *mode, *module); err != nil {
		fmt.Fprintf(os.Stderr, "testgate: %v\n", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, allowPath, mode, module string) error {
	if module == "" {
		b, err := os.ReadFile("go.mod")
		if err != nil {
			return err
		}
		module = modulePath(string(b))
	}
	f, err := os.Open(allowPath)
	if err != nil {
		return err
	}
	entries, err := parseAllow(f, module)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", allowPath, err)
	}
	res, err := gate(in, out)
	if err != nil {
		return err
	}
	return res.check(out, entries, mode)
}

// modulePath returns the module line's path from a go.mod file.
func modulePath(gomod string) string {
	for line := range strings.Lines(gomod) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// entry is one allow-list line.
type entry struct {
	line         int
	mode, pkg    string
	test, reason string
	used         bool
}

// toolReason matches reasons that only say a program or file is absent.
var toolReason = regexp.MustCompile(`(?i)\b(not installed|missing|not found|absent|unavailable)\b`)

// parseAllow reads the allow-list, rejecting entries with no reason or
// with a reason that only says something is missing.
func parseAllow(r io.Reader, module string) ([]*entry, error) {
	var es []*entry
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil, fmt.Errorf("line %d: want MODE PACKAGE TEST REASON, got %q", n, line)
		}
		if f[0] != "all" && f[0] != "race" {
			return nil, fmt.Errorf("line %d: bad mode %q", n, f[0])
		}
		reason := strings.Join(f[3:], " ")
		if toolReason.MatchString(reason) {
			return nil, fmt.Errorf("line %d: %q is not a reason to skip in CI: install the tool", n, reason)
		}
		if _, err := path.Match(f[2], ""); err != nil {
			return nil, fmt.Errorf("line %d: bad test pattern %q", n, f[2])
		}
		pkg := module
		if rel := strings.TrimPrefix(path.Clean(f[1]), "./"); rel != "." {
			pkg = module + "/" + rel
		}
		es = append(es, &entry{line: n, mode: f[0], pkg: pkg, test: f[2], reason: reason})
	}
	return es, sc.Err()
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
}

// skip is one skipped test and what it printed.
type skip struct {
	pkg, test, output string
}

// result is what a run of go test came to.
type result struct {
	passed, failed int
	skips          []skip
	buildFailed    bool
}

// gate reads the events, printing build output, failing tests' output and
// the packages' summary lines, and returns the counts and the skips.
func gate(in io.Reader, out io.Writer) (*result, error) {
	var res result
	buf := map[[2]string]*strings.Builder{}
	dec := json.NewDecoder(in)
	for {
		var e event
		if err := dec.Decode(&e); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go test -json: %w", err)
		}
		key := [2]string{e.Package, e.Test}
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			res.buildFailed = true
		case "output":
			if e.Test == "" {
				if !strings.HasPrefix(e.Output, "=== ") && e.Output != "PASS\n" {
					fmt.Fprint(out, e.Output)
				}
				continue
			}
			b := buf[key]
			if b == nil {
				b = new(strings.Builder)
				buf[key] = b
			}
			b.WriteString(e.Output)
		case "pass":
			if e.Test != "" {
				res.passed++
			}
			delete(buf, key)
		case "fail":
			if e.Test != "" {
				res.failed++
				if b := buf[key]; b != nil {
					fmt.Fprint(out, b.String())
				}
			}
			delete(buf, key)
		case "skip":
			if e.Test != "" {
				var o string
				if b := buf[key]; b != nil {
					o = b.String()
				}
				res.skips = append(res.skips, skip{e.Package, e.Test, o})
			}
			delete(buf, key)
		}
	}
	return &res, nil
}

// check prints every skip and the closing counts, and returns an error
// when a test failed or skipped without an allow-list entry for mode.
func (res *result) check(out io.Writer, entries []*entry, mode string) error {
	var unlisted int
	for _, s := range res.skips {
		var e *entry
		for _, c := range entries {
			if ok, _ := path.Match(c.test, s.test); ok && c.pkg == s.pkg && (c.mode == "all" || c.mode == mode) {
				e = c
				break
			}
		}
		if e != nil {
			e.used = true
			fmt.Fprintf(out, "--- SKIP (allowed: %s): %s %s\n", e.reason, s.pkg, s.test)
			continue
		}
		unlisted++
		fmt.Fprintf(out, "--- SKIP (not on the allow-list): %s %s\n%s", s.pkg, s.test, s.output)
	}
	for _, e := range entries {
		if !e.used && (e.mode == "all" || e.mode == mode) {
			fmt.Fprintf(out, "testgate: allow-list line %d (%s %s) matched no skip; remove it if the test no longer skips\n", e.line, e.pkg, e.test)
		}
	}
	fmt.Fprintf(out, "tests: %d passed, %d failed, %d skipped\n", res.passed, res.failed, len(res.skips))
	switch {
	case res.buildFailed:
		return errors.New("a package did not build")
	case res.failed > 0:
		return fmt.Errorf("%d tests failed", res.failed)
	case unlisted > 0:
		return fmt.Errorf("%d tests skipped without an allow-list entry", unlisted)
	}
	return nil
}
