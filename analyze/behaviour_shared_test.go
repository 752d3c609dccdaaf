package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// behaviourLabelsFile holds the hand labels of the behavioural data types
// per (run, request type) of the shared logs.
const behaviourLabelsFile = "labels-behaviour.yaml"

// behaviourTypes have no value an oracle could search for: a person judged
// them (testdata/labels-behaviour.yaml).
var behaviourTypes = []taxonomy.DataType{taxonomy.UIEvents, taxonomy.UsageStatistics, taxonomy.ActivityTimestamps, taxonomy.Diagnostics}

type behaviourLabels struct {
	Units []struct {
		Run     string            `yaml:"run"`
		ReqType int               `yaml:"req_type"`
		Present map[string]string `yaml:"present"`
		Unsure  map[string]string `yaml:"unsure"`
	} `yaml:"units"`
	RequestTypes map[int]string `yaml:"request_types"`
}

// TestSharedBehaviourPerRequestType scores the behavioural data types on
// the shared logs per (run, request type, data type) against the hand
// labels; every request type of the logs must be judged.
func TestSharedBehaviourPerRequestType(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", behaviourLabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	var lab behaviourLabels
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&lab); err != nil {
		t.Fatalf("%s: %v", behaviourLabelsFile, err)
	}
	judged := map[string]bool{}
	for _, dt := range behaviourTypes {
		judged[string(dt)] = true
	}
	rep := sharedReport(t)
	unitKey := func(run string, typ int) string { return fmt.Sprintf("%s|%d", run, typ) }
	got := map[string]map[string]bool{}
	for _, q := range rep.Requests {
		if _, ok := lab.RequestTypes[q.ReqType]; !ok {
			t.Errorf("%s: request type %d (run %s) is not judged: add it to request_types", behaviourLabelsFile, q.ReqType, q.Run)
			lab.RequestTypes[q.ReqType] = "" // once
		}
		k := unitKey(q.Run, q.ReqType)
		if got[k] == nil {
			got[k] = map[string]bool{}
		}
		for _, dt := range q.DataTypes {
			if judged[dt] {
				got[k][dt] = true
			}
		}
	}
	labelled := map[string]runLabels{}
	for _, u := range lab.Units {
		k := unitKey(u.Run, u.ReqType)
		if got[k] == nil {
			t.Errorf("%s: unit %s has no request in the report", behaviourLabelsFile, k)
		}
		for dt := range u.Present {
			if !judged[dt] {
				t.Errorf("%s: unit %s: %q is not a behavioural data type", behaviourLabelsFile, k, dt)
			}
		}
		labelled[k] = runLabels{Run: k, Present: u.Present, Unsure: u.Unsure}
	}
	// Every unit of the report is scored: those not listed carry none of
	// the four types.
	var units []runLabels
	for k := range got {
		r, ok := labelled[k]
		if !ok {
			r = runLabels{Run: k}
		}
		units = append(units, r)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Run < units[j].Run })
	scores, misses := ScoreLabels(units, got)
	t.Logf("shared logs, behavioural types per (run, request type, data type), %d units, hand labels (tp fp fn):\n%s\ndisagreements:\n%s",
		len(units), checkScores(t, scores), strings.Join(misses, "\n"))
}
