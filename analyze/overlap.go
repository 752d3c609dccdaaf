package analyze

import (
	"fmt"
	"strings"

	"github.com/wxaudit/wxaudit/attribute"
)

// WarningPrefix starts the entries of Report.Errors that are warnings about
// the inputs as a whole rather than errors in one line; the command line
// prints them on stderr.
const WarningPrefix = "warning: "

// overlapWarnings says, for each pair of inputs that share most lines
// without one extending the other, that both are analysed in full (so
// what they share is counted twice), and how all runs were split.
func overlapWarnings(labels []string, segs []attribute.LogRun, ov []attribute.Overlap) []string {
	if len(ov) == 0 {
		return nil
	}
	var out []string
	for _, o := range ov {
		out = append(out, fmt.Sprintf("%sinputs %s and %s share %d of %d distinct lines (%.0f%%) but neither is a line prefix of the other: each is analysed as a whole run, so what they share is counted in both (shuffled, merged or re-exported logs of one session?); reorder or trim them so one extends the other, or analyse one of them",
			WarningPrefix, labels[o.A], labels[o.B], o.Shared, o.Of, 100*float64(o.Shared)/float64(o.Of)))
	}
	split := make([]string, len(segs))
	for i, s := range segs {
		switch {
		case s.Lines == 0:
			split[i] = labels[i] + " = the whole input"
		case s.Extends >= 0:
			split[i] = fmt.Sprintf("%s = lines %d-%d (extends %s)", labels[i], s.SkipLines+1, s.Lines, labels[s.Extends])
		default:
			split[i] = fmt.Sprintf("%s = all %d lines", labels[i], s.Lines)
		}
	}
	out = append(out, WarningPrefix+"runs were split as: "+strings.Join(split, "; "))
	return out
}
