package serve

import (
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

// TestTimeline lays out pages, stay times and UI events by time when the
// run has times, and by request order when it has none.
func TestTimeline(t *testing.T) {
	href := func(run string, n int) string { return "/requests/" + run + ":" + itoa(n) }
	red := newRedactor(&report.Report{}, false)
	ev := func(run, tm, v string, req int) report.Finding {
		return report.Finding{AppID: "wxapp", DataType: "ui_events", Run: run, Time: tm, Request: req,
			Evidence: report.Evidence{FieldPath: "2.7", Value: v}}
	}
	tests := []struct {
		name    string
		pages   []report.PageVisit
		events  []report.Finding
		byOrder bool
		bars    int
		// diamonds and the events merged in the first one
		diamonds, firstN int
		stays            []string // stay labels written (order axes)
	}{
		{
			name: "timed",
			pages: []report.PageVisit{
				{Page: "pages/a", Run: "r", Time: "2024-10-01T09:30:00Z", StayMS: 4000, Request: 1},
				{Page: "pages/b", Run: "r", Time: "2024-10-01T09:30:05Z", StayMS: 5000, Request: 2},
			},
			events: []report.Finding{ev("r", "2024-10-01T09:30:01Z", "tap", 3), ev("r", "2024-10-01T09:30:01Z", "scroll", 3),
				ev("r", "2024-10-01T09:30:08Z", "tap", 4), ev("other", "2024-10-01T09:30:08Z", "tap", 4)},
			bars: 2, diamonds: 2, firstN: 2,
		},
		{
			name: "no times",
			pages: []report.PageVisit{
				{Page: "pages/a", Run: "r", StayMS: 1500, Request: 5},
				{Page: "pages/a", Run: "r", Request: 9},
			},
			events:  []report.Finding{ev("r", "", "tap", 7)},
			byOrder: true, bars: 2, diamonds: 1, firstN: 1, stays: []string{"1.5 s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newMPView(report.MiniProgram{AppID: "wxapp", Pages: tt.pages}, tt.events, href, red)
			var a *axis
			for _, x := range v.Axes {
				if x.Run == "r" {
					a = x
				}
			}
			if a == nil {
				t.Fatalf("no axis for run r: %+v", v.Axes)
			}
			if a.ByOrder != tt.byOrder || len(a.Bars) != tt.bars || len(a.Events) != tt.diamonds || a.Events[0].N != tt.firstN {
				t.Fatalf("byOrder %v, %d bars, %d diamonds (first holds %d)", a.ByOrder, len(a.Bars), len(a.Events), a.Events[0].N)
			}
			var stays []string
			for _, b := range a.Bars {
				if b.Stayed {
					stays = append(stays, b.Stay)
				}
				if b.X < axisLabelW || b.X+b.W > axisLabelW+axisPlotW+4 {
					t.Errorf("bar %+v outside the plot", b)
				}
			}
			if strings.Join(stays, ",") != strings.Join(tt.stays, ",") {
				t.Errorf("stay labels %q, want %q", stays, tt.stays)
			}
			if !tt.byOrder {
				// Time order: b starts after a ends; the bar widths are the stays.
				a0, b0 := a.Bars[0], a.Bars[1]
				if b0.X < a0.X+a0.W || b0.W <= a0.W {
					t.Errorf("bars not placed by time and stay: %+v %+v", a0, b0)
				}
				if !strings.Contains(a.Events[0].Title, "tap") || !strings.Contains(a.Events[0].Title, "scroll") {
					t.Errorf("merged diamond title %q", a.Events[0].Title)
				}
			}
			if tt.name == "timed" && len(v.Axes) != 2 { // run "other" has an event of its own
				t.Errorf("%d axes", len(v.Axes))
			}
		})
	}
}
