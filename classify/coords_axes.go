// This file decides the axis order of coordinate pairs that neither names,
// the catalog nor the values' range decided (TAXONOMY.md, "Axis order"):
// by agreement with other location evidence about the same device — fixes
// whose order is certain, the country of the carrier's MCC, the time zone,
// the locale's region. A pair no evidence decides is reported as both
// readings at low confidence; it is never swapped on a guess.

package classify

import (
	"math"
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// agreeDeg is how close two fixes must be to be the same place: about
// 5 km, more than a phone moves between two requests of one run and far
// less than the distance between a place and its mirror image.
const agreeDeg = 0.05

// Evidence is what is known about where the device is, apart from the pair
// being oriented: fixes whose axis order is certain, and the boxes of the
// countries its carrier, time zone and locale name. Classify gathers it
// from each request; a caller that sees a whole run may gather it across
// requests (Learn each request's findings, then Orient each request's
// findings again). The zero value is empty and ready to use; it is not
// safe for concurrent use.
type Evidence struct {
	fixes []Coord
	boxes []evidenceBox
}

type evidenceBox struct {
	b    box
	what string // "the carrier's country (MCC 460)", …
}

// maxEvidence bounds what Learn keeps: a run has a handful of places.
const maxEvidence = 64

// Learn notes the evidence in findings: certain fixes, carrier codes,
// time zones and locales.
func (ev *Evidence) Learn(fs []Finding) {
	for i := range fs {
		f := &fs[i]
		if len(ev.fixes)+len(ev.boxes) >= maxEvidence {
			return
		}
		switch {
		case f.Coord != nil:
			if f.Coord.Axes != AxesAmbiguous && f.Coord.Axes != AxesSwapped && !f.Coord.needsEvidence && !ev.hasFix(f.Coord.Lat, f.Coord.Lon) {
				ev.fixes = append(ev.fixes, *f.Coord)
			}
		case f.DataType == taxonomy.CellCarrier:
			if b, ok := carrierBox(f.Value); ok {
				ev.addBox(b, "the carrier's country (MCC "+f.Value[:3]+")")
			}
		case f.DataType == taxonomy.Timezone:
			if b, ok := zoneBox(f.Value); ok {
				ev.addBox(b, "the time zone ("+f.Value+")")
			}
		case f.DataType == taxonomy.LanguageLocale:
			if b, ok := localeBox(f.Value); ok {
				ev.addBox(b, "the locale's region ("+f.Value+")")
			}
		}
	}
}

func (ev *Evidence) hasFix(lat, lon float64) bool {
	for _, c := range ev.fixes {
		if near(c.Lat, c.Lon, lat, lon) {
			return true
		}
	}
	return false
}

func (ev *Evidence) addBox(b box, what string) {
	for _, e := range ev.boxes {
		if e.b == b {
			return
		}
	}
	ev.boxes = append(ev.boxes, evidenceBox{b, what})
}

func near(lat1, lon1, lat2, lon2 float64) bool {
	return math.Abs(lat1-lat2) <= agreeDeg && math.Abs(lon1-lon2) <= agreeDeg
}

// decide returns 1 if the evidence supports reading (lat, lon), 2 if it
// supports (lon, lat), 0 if it supports neither or both; and what decided.
func (ev *Evidence) decide(lat, lon float64) (int, string) {
	for _, c := range ev.fixes {
		a, b := near(c.Lat, c.Lon, lat, lon), near(c.Lat, c.Lon, lon, lat)
		if a != b {
			if a {
				return 1, "agrees with another fix of the device"
			}
			return 2, "agrees with another fix of the device"
		}
	}
	in1, in2 := "", ""
	for _, e := range ev.boxes {
		if in1 == "" && e.b.contains(lat, lon) {
			in1 = e.what
		}
		if in2 == "" && e.b.contains(lon, lat) {
			in2 = e.what
		}
	}
	switch {
	case in1 != "" && in2 == "":
		return 1, "lies in " + in1
	case in2 != "" && in1 == "":
		return 2, "lies in " + in2
	}
	return 0, ""
}

// Decide orients one AxesAmbiguous coordinate by the evidence: it returns
// the decided coordinate (AxesEvidence), the reason to append to the
// finding's, and whether the evidence decided. Callers holding findings in
// another form (a report) use it as Orient does.
func (ev *Evidence) Decide(co *Coord) (Coord, string, bool) {
	if co == nil || co.Axes != AxesAmbiguous {
		return Coord{}, "", false
	}
	which, why := ev.decide(co.Lat, co.Lon)
	if which == 0 {
		return Coord{}, "", false
	}
	c := *co
	if which == 2 {
		c.Lat, c.Lon = c.Lon, c.Lat
	}
	c.Axes, c.needsEvidence = AxesEvidence, false
	return c, "; the axis order is the one that " + why, true
}

// DecidedReason rewrites the reason of an ambiguous finding once decided.
func DecidedReason(reason, why string) string { return strings.TrimSuffix(reason, ambiguousNote) + why }

// Orient decides the axis order of the ambiguous coordinate findings in fs
// from the evidence, in place where it can, and returns fs:
//
//   - a decided pair keeps one finding, AxesEvidence, at the confidence of
//     its encoding; its AxesSwapped twin, if present, is dropped;
//   - an undecided pair is reported as both readings, AxesAmbiguous and
//     AxesSwapped, at low confidence (the twin is added if missing);
//   - an undecided pair that only evidence could confirm (integer
//     micro-degrees both positive and under 90, a shape counters share)
//     is dropped.
func (ev *Evidence) Orient(fs []Finding) []Finding {
	type key struct{ path, rule string }
	decided := map[key]bool{}
	twins := map[key]bool{}
	for _, f := range fs {
		if f.Coord != nil && f.Coord.Axes == AxesSwapped {
			twins[key{f.FieldPath, f.Rule}] = true
		}
	}
	out := fs[:0]
	var extra []Finding
	for _, f := range fs {
		co := f.Coord
		if co == nil || co.Axes != AxesAmbiguous {
			out = append(out, f)
			continue
		}
		k := key{f.FieldPath, f.Rule}
		switch c, why, ok := ev.Decide(co); {
		case ok:
			f.Coord = &c
			f.Confidence = CoordConfidence(&c)
			f.Reason = DecidedReason(f.Reason, why)
			decided[k] = true
		default:
			if co.needsEvidence {
				continue
			}
			f.Confidence = taxonomy.Low
			if !strings.HasSuffix(f.Reason, ambiguousNote) {
				f.Reason += ambiguousNote
			}
			if !twins[k] {
				t := f
				c := *co
				c.Lat, c.Lon, c.Axes = co.Lon, co.Lat, AxesSwapped
				t.Coord = &c
				// The values in this reading's order, so that the two
				// readings stay two findings wherever findings of one
				// value are merged.
				if i := strings.LastIndexByte(t.Value, ','); i >= 0 {
					t.Value = strings.TrimSpace(t.Value[i+1:]) + "," + t.Value[:i]
				}
				extra = append(extra, t)
				twins[k] = true
			}
		}
		out = append(out, f)
	}
	out = append(out, extra...)
	if len(decided) == 0 {
		return out
	}
	kept := out[:0]
	for _, f := range out {
		if f.Coord != nil && f.Coord.Axes == AxesSwapped && decided[key{f.FieldPath, f.Rule}] {
			continue
		}
		kept = append(kept, f)
	}
	return kept
}

// ambiguousNote ends the reason of a pair reported as both readings.
const ambiguousNote = "; both values are within ±90° and nothing decides their order (no names, no catalog entry, " +
	"no other fix, carrier country, time zone or locale that only one reading agrees with): both readings are reported, at low confidence"
