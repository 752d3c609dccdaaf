package corpus

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wxaudit/wxaudit/analyze"
)

// maxLabel bounds a label (it becomes a directory name).
const maxLabel = 100

// cleanLabel keeps letters, digits, '.', '_' and '-' (other characters
// become '_'), so a label is safe as a partition directory name for Hive,
// Spark, Trino and DuckDB without escaping.
func cleanLabel(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	l := strings.TrimLeft(b.String(), ".")
	if len(l) > maxLabel {
		l = l[:maxLabel]
		for !utf8.ValidString(l) {
			l = l[:len(l)-1]
		}
	}
	if l == "" {
		l = "run"
	}
	return l
}

// assignLabels gives every source a unique, stable label. A source
// already in the store keeps its label (known maps source path to label).
// The others are labelled by analyze.Labels, from run.yaml's label or the
// folder or file name, with as many parent folders in front as it takes
// to tell same-named runs apart ("phone-a-run1", "phone-b-run1": '/'
// becomes '-' so a label is one directory name); one that still collides
// with a stored run gets its parent folder in front, then a number.
func assignLabels(srcs []Source, known map[string]string) {
	taken := map[string]bool{}
	for _, l := range known {
		taken[l] = true
	}
	var fresh []int
	var paths []string
	for i := range srcs {
		s := &srcs[i]
		if l, ok := known[s.Path]; ok {
			s.Label = l
			continue
		}
		fresh = append(fresh, i)
		p := s.Path
		if s.Meta != nil && s.Meta.Label != "" {
			p = filepath.Join(filepath.Dir(s.Path), s.Meta.Label)
		}
		paths = append(paths, p)
	}
	for k, l := range analyze.Labels(paths) {
		s := &srcs[fresh[k]]
		l = cleanLabel(strings.ReplaceAll(l, "/", "-"))
		if taken[l] {
			prefixed := cleanLabel(filepath.Base(filepath.Dir(s.Path)) + "-" + l)
			l = prefixed
			for n := 2; taken[l]; n++ {
				l = fmt.Sprintf("%s-%d", prefixed, n)
			}
		}
		taken[l] = true
		s.Label = l
	}
}
