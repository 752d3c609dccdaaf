// Scores per (request type, data type): the unit the held-out logs are
// judged by. A unit is one request type in one run; it is positive when a
// request of that type in that run carries the data type, and found when
// the analysis says one does. Per data type, precision and recall are
// taken over all units; data types with at least minUnits positives must
// reach 0.9 on both (classify/TAXONOMY.md, "Measured").

package analyze_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/report"
)

// minUnits is the number of positive units from which a data type's score
// is held to 0.9; fewer say too little either way.
const minUnits = 5

// reqKey names a request type: its id, or its path when it has none
// (plain-HTTP newgetdns).
func reqKey(typ int, uri string) string {
	if typ != 0 {
		return strconv.Itoa(typ)
	}
	return uri
}

// reportUnits returns, per "run|request type", the data types found.
func reportUnits(rep *report.Report, run func(string) string) map[string]map[string]bool {
	got := map[string]map[string]bool{}
	for _, q := range rep.Requests {
		k := run(q.Run) + "|" + reqKey(q.ReqType, q.URI)
		if got[k] == nil {
			got[k] = map[string]bool{}
		}
		for _, dt := range q.DataTypes {
			got[k][dt] = true
		}
	}
	return got
}

// checkUnits logs the scores and fails data types with enough positives
// below 0.9.
func checkUnits(t *testing.T, what string, labels map[string]map[string]bool, got map[string]map[string]bool) {
	t.Helper()
	var b strings.Builder
	for _, s := range analyze.Score(labels, got, []string{"opaque_encrypted_blob"}) {
		b.WriteString(s.String() + "\n")
		if s.TP+s.FN >= minUnits && (s.Precision() < 0.9 || s.Recall() < 0.9) {
			t.Errorf("%s: %s below 0.9", what, s)
		}
	}
	var miss []string
	for k, want := range labels {
		for dt := range want {
			if !got[k][dt] {
				miss = append(miss, "FN "+k+" "+dt)
			}
		}
		for dt := range got[k] {
			if !want[dt] && dt != "opaque_encrypted_blob" {
				miss = append(miss, "FP "+k+" "+dt)
			}
		}
	}
	t.Logf("%s, per (request type, data type) (tp fp fn):\n%s\ndisagreements:\n%s", what, b.String(), strings.Join(miss, "\n"))
}

// TestSynthPerRequestType scores the synthetic captures per (request type,
// data type) against their manifests, which say exactly what each request
// carries.
func TestSynthPerRequestType(t *testing.T) {
	labels := map[string]map[string]bool{}
	got := map[string]map[string]bool{}
	for _, c := range synthAnalyses(t) {
		for _, e := range c.entries {
			if e.Direction == payload.DirResponse {
				continue
			}
			k := c.name + "|" + reqKey(e.ReqType, e.URI)
			if labels[k] == nil {
				labels[k] = map[string]bool{}
			}
			for _, p := range e.Planted {
				labels[k][string(p.DataType)] = true
			}
		}
		for k, v := range reportUnits(c.rep, func(string) string { return c.name }) {
			got[k] = v
		}
	}
	checkUnits(t, "synthetic manifest", labels, got)
}
