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

// baseLabel is a source's label before it is made unique: run.yaml's
// label, else the folder name, else the log's name without its extension.
func baseLabel(s *Source) string {
	switch {
	case s.Meta != nil && s.Meta.Label != "":
		return cleanLabel(s.Meta.Label)
	case s.Kind == "log":
		return cleanLabel(analyze.Label(s.Path))
	}
	return cleanLabel(filepath.Base(s.Path))
}

// assignLabels gives every source a unique, stable label. A source
// already in the store keeps its label (known maps source path to label).
// Otherwise sources whose base labels collide, with each other or with a
// stored run of another source, get their parent folder's name in front
// ("phone-a-run1", "phone-b-run1"), then a number if that still collides.
func assignLabels(srcs []Source, known map[string]string) {
	taken := map[string]bool{}
	for _, l := range known {
		taken[l] = true
	}
	count := map[string]int{}
	for i := range srcs {
		if _, ok := known[srcs[i].Path]; !ok {
			count[baseLabel(&srcs[i])]++
		}
	}
	for i := range srcs {
		s := &srcs[i]
		if l, ok := known[s.Path]; ok {
			s.Label = l
			continue
		}
		base := baseLabel(s)
		l := base
		if count[base] > 1 || taken[l] {
			l = cleanLabel(filepath.Base(filepath.Dir(s.Path)) + "-" + base)
		}
		for n := 2; taken[l]; n++ {
			l = fmt.Sprintf("%s-%d", cleanLabel(filepath.Base(filepath.Dir(s.Path))+"-"+base), n)
		}
		taken[l] = true
		s.Label = l
	}
}
