package analyze

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wxaudit/wxaudit/classify"
)

// minScore is the precision and recall every data type must reach on the
// hand-labelled set.
const minScore = 0.9

// TestHandLabels scores the analysis of the shared report logs against
// testdata/labels.yaml: per (run, data type), precision and recall per data
// type over the runs' own segments.
func TestHandLabels(t *testing.T) {
	rep := sharedReport(t)
	b, err := os.ReadFile(filepath.Join("testdata", "labels.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs map[string]map[string]string `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]bool{}
	for _, r := range rep.Runs {
		got[r.Label] = map[string]bool{}
		for _, dt := range rep.DataTypes(r.Label) {
			got[r.Label][dt] = true
		}
		if _, ok := doc.Runs[r.Label]; !ok {
			t.Errorf("run %s has no labels", r.Label)
		}
	}
	for run, labels := range doc.Runs {
		for dt := range labels {
			if !classify.Known(classify.DataType(dt)) {
				t.Errorf("labels: run %s: unknown data type %q", run, dt)
			}
		}
	}
	scores := Score(doc.Runs, got, []string{string(classify.OpaqueEncryptedBlob)})
	report := ""
	for _, s := range scores {
		report += s.String() + "\n"
		if s.Precision() < minScore || s.Recall() < minScore {
			t.Errorf("%s below %.1f", s, minScore)
		}
	}
	t.Logf("per data type (tp fp fn):\n%s", report)
}

// TypeScore counts true and false positives and false negatives of one data
// type over (run, data type) pairs.
type TypeScore struct {
	DataType   string
	TP, FP, FN int
}

// Precision is TP/(TP+FP), 1 when nothing was predicted.
func (s TypeScore) Precision() float64 {
	if s.TP+s.FP == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FP)
}

// Recall is TP/(TP+FN), 1 when nothing was labelled.
func (s TypeScore) Recall() float64 {
	if s.TP+s.FN == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FN)
}

func (s TypeScore) String() string {
	return s.DataType + ": precision " + ftoa2(s.Precision()) + " recall " + ftoa2(s.Recall()) +
		" (" + itoa(s.TP) + " " + itoa(s.FP) + " " + itoa(s.FN) + ")"
}

// Score compares predicted with labelled data types per run.
func Score[V any](labels map[string]map[string]V, got map[string]map[string]bool, skip []string) []TypeScore {
	by := map[string]*TypeScore{}
	get := func(dt string) *TypeScore {
		if by[dt] == nil {
			by[dt] = &TypeScore{DataType: dt}
		}
		return by[dt]
	}
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	for run, want := range labels {
		for dt := range want {
			if !skipped[dt] {
				if got[run][dt] {
					get(dt).TP++
				} else {
					get(dt).FN++
				}
			}
		}
		for dt := range got[run] {
			if _, ok := want[dt]; !ok && !skipped[dt] {
				get(dt).FP++
			}
		}
	}
	var out []TypeScore
	for _, s := range by {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DataType < out[j].DataType })
	return out
}
