package analyze

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// minScore is the precision and recall every data type must reach on the
// hand-labelled set.
const minScore = 0.9

// labelsFile holds the independent hand labels: written from the decoded
// data alone, before looking at the analyzer's output, so the score is not
// circular.
const labelsFile = "labels-independent.yaml"

// runLabels is one run's hand labels: data type → reason.
type runLabels struct {
	Run     string            `yaml:"run"`
	Present map[string]string `yaml:"present"`
	Absent  map[string]string `yaml:"absent"`
	Unsure  map[string]string `yaml:"unsure"`
}

// labelCorrection overrides one judgement of the labeller after a factual
// mistake was found, with the evidence (request type, field path).
type labelCorrection struct {
	Run      string `yaml:"run"`
	DataType string `yaml:"data_type"`
	From     string `yaml:"from"`
	To       string `yaml:"to"`
	Evidence string `yaml:"evidence"`
}

// loadLabels reads testdata/labels-independent.yaml: a list of runs, or a
// document {runs: [...], corrections: [...]}; corrections are applied.
func loadLabels(t *testing.T) []runLabels {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", labelsFile))
	if err != nil {
		t.Fatal(err)
	}
	var runs []runLabels
	var corr []labelCorrection
	if err := yaml.Unmarshal(b, &runs); err != nil {
		var doc struct {
			Runs        []runLabels       `yaml:"runs"`
			Corrections []labelCorrection `yaml:"corrections"`
		}
		if err2 := yaml.Unmarshal(b, &doc); err2 != nil {
			t.Fatalf("%s: %v", labelsFile, err2)
		}
		runs, corr = doc.Runs, doc.Corrections
	}
	byRun := map[string]*runLabels{}
	for i := range runs {
		byRun[runs[i].Run] = &runs[i]
	}
	for _, c := range corr {
		r := byRun[c.Run]
		if r == nil || c.Evidence == "" {
			t.Fatalf("%s: correction %+v: unknown run or no evidence", labelsFile, c)
		}
		from, to := r.set(c.From), r.set(c.To)
		if from == nil || to == nil {
			t.Fatalf("%s: correction %+v: from/to must be present, absent or unsure", labelsFile, c)
		}
		reason, ok := (*from)[c.DataType]
		if !ok {
			t.Fatalf("%s: correction %+v: %s is not %s in %s", labelsFile, c, c.DataType, c.From, c.Run)
		}
		delete(*from, c.DataType)
		if *to == nil {
			*to = map[string]string{}
		}
		(*to)[c.DataType] = "corrected: " + c.Evidence + " (was " + c.From + ": " + reason + ")"
	}
	return runs
}

func (r *runLabels) set(name string) *map[string]string {
	switch name {
	case "present":
		return &r.Present
	case "absent":
		return &r.Absent
	case "unsure":
		return &r.Unsure
	}
	return nil
}

// unscored are data types the score leaves out whatever the labels say.
// opaque_encrypted_blob is scored: the decoder emits it from a principled
// test (high entropy, no protobuf/text structure), and the labeller judged
// it from the same property of the bytes.
var unscored = map[string]bool{}

// TestHandLabels scores the analysis of the shared report logs against the
// independent hand labels: per (run, data type) over the runs' own
// segments, present = positive, absent = negative, unsure = not scored.
// Every data type must reach minScore precision and recall.
func TestHandLabels(t *testing.T) {
	rep := sharedReport(t)
	runs := loadLabels(t)
	got := map[string]map[string]bool{}
	for _, r := range rep.Runs {
		got[r.Label] = map[string]bool{}
		for _, dt := range rep.DataTypes(r.Label) {
			got[r.Label][dt] = true
		}
	}
	labelled := map[string]bool{}
	for _, r := range runs {
		labelled[r.Run] = true
		if got[r.Run] == nil {
			t.Errorf("labels: run %s is not in the report", r.Run)
		}
		seen := map[string]string{}
		for set, m := range map[string]map[string]string{"present": r.Present, "absent": r.Absent, "unsure": r.Unsure} {
			for dt := range m {
				if !taxonomy.Known(taxonomy.DataType(dt)) {
					t.Errorf("labels: run %s: unknown data type %q", r.Run, dt)
				}
				if prev, dup := seen[dt]; dup {
					t.Errorf("labels: run %s: %s is both %s and %s", r.Run, dt, prev, set)
				}
				seen[dt] = set
			}
		}
		for _, ti := range taxonomy.All {
			if _, ok := seen[string(ti.Name)]; !ok {
				t.Errorf("labels: run %s: %s not judged", r.Run, ti.Name)
			}
		}
	}
	for run := range got {
		if !labelled[run] {
			t.Errorf("run %s has no labels", run)
		}
	}
	scores, misses := ScoreLabels(runs, got)
	var report strings.Builder
	for _, s := range scores {
		report.WriteString(s.String() + "\n")
		if s.Precision() < minScore || s.Recall() < minScore {
			t.Errorf("%s below %.1f", s, minScore)
		}
	}
	var tp, fp, fn int
	for _, s := range scores {
		tp, fp, fn = tp+s.TP, fp+s.FP, fn+s.FN
	}
	micro := TypeScore{DataType: "micro", TP: tp, FP: fp, FN: fn}
	if micro.Precision() < 0.98 || micro.Recall() < 0.97 {
		t.Errorf("%s below 0.98 precision / 0.97 recall", micro)
	}
	t.Logf("per data type (tp fp fn):\n%s%s", report.String(), micro)
	t.Logf("disagreements:\n%s", strings.Join(misses, "\n"))
}

// ScoreLabels compares predicted with labelled data types per run; unsure
// and unscored pairs are skipped. It returns the scores and one line per
// disagreement ("FP run type" or "FN run type").
func ScoreLabels(runs []runLabels, got map[string]map[string]bool) ([]TypeScore, []string) {
	by := map[string]*TypeScore{}
	get := func(dt string) *TypeScore {
		if by[dt] == nil {
			by[dt] = &TypeScore{DataType: dt}
		}
		return by[dt]
	}
	var misses []string
	for _, r := range runs {
		for dt := range r.Present {
			if unscored[dt] {
				continue
			}
			if got[r.Run][dt] {
				get(dt).TP++
			} else {
				get(dt).FN++
				misses = append(misses, "FN "+r.Run+" "+dt)
			}
		}
		for dt := range got[r.Run] {
			_, present := r.Present[dt]
			_, unsure := r.Unsure[dt]
			if present || unsure || unscored[dt] {
				continue
			}
			get(dt).FP++
			misses = append(misses, "FP "+r.Run+" "+dt)
		}
	}
	sort.Strings(misses)
	var out []TypeScore
	for _, s := range by {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DataType < out[j].DataType })
	return out, misses
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

// Score compares predicted with labelled data types per run (a label's
// presence in labels[run] means present; everything else absent); types in
// skip are left out. The synthetic manifest uses it: it is exact, with no
// unsure judgements.
func Score[V any](labels map[string]map[string]V, got map[string]map[string]bool, skip []string) []TypeScore {
	runs := make([]runLabels, 0, len(labels))
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	for run, want := range labels {
		r := runLabels{Run: run, Present: map[string]string{}, Unsure: map[string]string{}}
		for dt := range want {
			r.Present[dt] = ""
		}
		for _, s := range skip {
			delete(r.Present, s)
			r.Unsure[s] = ""
		}
		runs = append(runs, r)
	}
	out, _ := ScoreLabels(runs, got)
	return out
}
