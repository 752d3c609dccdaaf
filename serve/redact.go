package serve

import (
	"github.com/wxaudit/wxaudit/report"
)

// redactor applies the report's redaction (report.Redactor) to what the
// server shows: identifying values become the pseudonyms a shared report
// uses, wherever they appear (a finding, a decoded value, a query string
// holding one, a search hit), and coordinates are coarsened to about 1 km.
// With reveal set it shows values (canaries stay hidden, as in reports).
type redactor struct {
	reveal bool
	rd     *report.Redactor
}

func newRedactor(r *report.Report, reveal bool) *redactor { return newKeyedRedactor(r, nil, reveal) }

// newKeyedRedactor is newRedactor with the pseudonyms' key (nil: a random
// one, consistent within this server only).
func newKeyedRedactor(r *report.Report, key []byte, reveal bool) *redactor {
	if reveal {
		return &redactor{reveal: true, rd: report.NewRevealer(r)}
	}
	return &redactor{rd: report.NewRedactor(r, key)}
}

// text hides every identifying value inside s.
func (r *redactor) text(s string) string { return r.rd.Text(s) }

// hides reports whether a finding's value is hidden.
func (r *redactor) hides(f *report.Finding) bool { return r.rd.Value(f) != f.Evidence.Value }

// finding returns f as shown.
func (r *redactor) finding(f report.Finding) report.Finding {
	v := r.rd.Value(&f)
	if f.Coord != nil && !r.reveal {
		c := *f.Coord
		c.Lat, c.Lon = report.Coord(c.Lat), report.Coord(c.Lon)
		f.Coord = &c
	}
	f.Evidence.Value = v
	f.MPSession = r.text(f.MPSession) // "hash=<uin>&ts=…": the uin
	return f
}

func (r *redactor) findings(fs []report.Finding) []report.Finding {
	out := make([]report.Finding, len(fs))
	for i, f := range fs {
		out[i] = r.finding(f)
	}
	return out
}

// location coarsens a coordinate. The precision stays: it says what WeChat
// sent, not where the researcher was.
func (r *redactor) location(l report.Location) report.Location {
	if !r.reveal {
		l.Lat, l.Lon = report.Coord(l.Lat), report.Coord(l.Lon)
	}
	return l
}
