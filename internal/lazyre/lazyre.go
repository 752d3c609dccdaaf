// Package lazyre holds regular expressions compiled on first use rather
// than at program start. Every wxaudit command runs every package's
// initialisation: compiling the detectors' expressions there cost
// `wxaudit decrypt`, which uses none of them, about a sixth of its start-up
// CPU. An expression that does not compile panics on first use, as
// regexp.MustCompile would at start; each package's tests compile all of
// its expressions with CompileAll.
//
// An expression may also declare literals that every match contains
// (Needing); matching then skips the expression on strings without them.
package lazyre

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Regexp is a regular expression compiled when first used. It is safe for
// concurrent use.
type Regexp struct {
	expr  string
	needs []string // every match contains one of these; nil: no claim
	re    func() *regexp.Regexp
}

var (
	mu  sync.Mutex
	all []*Regexp
)

// New returns expr, to be compiled on first use.
func New(expr string) *Regexp {
	r := &Regexp{expr: expr, re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
	mu.Lock()
	all = append(all, r)
	mu.Unlock()
	return r
}

// CompileAll compiles every expression made with New so far and returns
// the first that does not compile, with its error.
func CompileAll() (string, error) {
	mu.Lock()
	rs := append([]*Regexp(nil), all...)
	mu.Unlock()
	for _, r := range rs {
		if _, err := regexp.Compile(r.expr); err != nil {
			return r.expr, err
		}
	}
	return "", nil
}

// Needing declares that every match of r contains at least one of lits,
// and returns r. MatchString and FindStringSubmatch then run the
// expression only on strings that contain one of them: a detector sees
// mostly strings that hold none, and a substring search costs far less
// than backtracking an unanchored expression over them. The claim is the
// caller's to prove: CheckNeeds tests it on one string, for fuzzing.
// Call it only where r is declared, before r is used.
func (r *Regexp) Needing(lits ...string) *Regexp {
	r.needs = lits
	return r
}

// mayMatch reports whether s holds one of the literals r needs.
func (r *Regexp) mayMatch(s string) bool {
	if r.needs == nil {
		return true
	}
	for _, l := range r.needs {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// CheckNeeds returns an error when an expression made with New matches s
// although s holds none of the literals the expression was declared
// Needing: that declaration would then hide a match.
func CheckNeeds(s string) error {
	mu.Lock()
	rs := append([]*Regexp(nil), all...)
	mu.Unlock()
	for _, r := range rs {
		if !r.mayMatch(s) && r.re().MatchString(s) {
			return fmt.Errorf("%s matches %q, which holds none of %q", r.expr, s, r.needs)
		}
	}
	return nil
}

// String returns the source text.
func (r *Regexp) String() string { return r.expr }

// MatchString is regexp.Regexp.MatchString.
func (r *Regexp) MatchString(s string) bool { return r.mayMatch(s) && r.re().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string {
	if !r.mayMatch(s) {
		return nil
	}
	return r.re().FindStringSubmatch(s)
}

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string { return r.re().ReplaceAllString(src, repl) }

// FindAllSubmatch is regexp.Regexp.FindAllSubmatch.
func (r *Regexp) FindAllSubmatch(b []byte, n int) [][][]byte { return r.re().FindAllSubmatch(b, n) }
