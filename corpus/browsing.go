package corpus

import (
	"github.com/wxaudit/wxaudit/claims"
	"github.com/wxaudit/wxaudit/report"
)

// miniProgramBrowsing reports whether the run sent Mini Program activity
// to WeChat in miniprogram_tracking's unit (claims.IsActivity: a page,
// user UI event or stay time tied to an appid), so that the corpus's
// metric and its claim count the same runs.
func miniProgramBrowsing(rep *report.Report, run string) bool {
	for i := range rep.Findings {
		if f := &rep.Findings[i]; f.Run == run && claims.IsActivity(f) {
			return true
		}
	}
	return false
}
