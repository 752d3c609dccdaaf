package corpus

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

// TestGapGroupsKeepWhatClaimsRead: the corpus's gaps kept by gapGroups
// group (report.GroupGaps) as all of them do, in what the claims read:
// the groups, their order, statements, finding counts and evidence.
func TestGapGroupsKeepWhatClaimsRead(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	all := &report.Report{Policy: &report.PolicyResult{Model: "m"}}
	kept := &report.Report{Policy: &report.PolicyResult{Model: "m"}}
	var g gapGroups
	id := 0
	for run := range 200 {
		var gaps []report.Gap
		for range rng.Intn(6) {
			gap := report.Gap{Kind: []string{"omitted", "incorrect_entity", "consistent", "ambiguous"}[rng.Intn(4)],
				DataType: fmt.Sprint("dt", rng.Intn(4)), Feature: fmt.Sprint("f", rng.Intn(3)), Recipient: "wechat",
				Run: fmt.Sprint("run", run), Statement: fmt.Sprint("statement ", run)}
			for range rng.Intn(9) {
				id++
				gap.Findings = append(gap.Findings, fmt.Sprint("f", id))
			}
			gaps = append(gaps, gap)
		}
		all.Policy.Gaps = append(all.Policy.Gaps, gaps...)
		g.add(gaps)
	}
	kept.Policy.Gaps = g.gaps
	want, got := all.GroupGaps(), kept.GroupGaps()
	for i := range want {
		want[i].Runs = nil
	}
	for i := range got {
		got[i].Runs = nil
	}
	if len(want) < 10 || !reflect.DeepEqual(got, want) {
		t.Fatalf("groups differ:\n got %+v\nwant %+v", got, want)
	}
	if len(g.gaps) > 2*len(want)+2*4*4*3 {
		t.Errorf("%d gaps kept for %d groups", len(g.gaps), len(want))
	}
}
