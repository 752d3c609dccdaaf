package serve

import (
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/wxaudit/wxaudit/report"
)

// Charts are SVG drawn here with coordinates in attributes: the CSP
// forbids inline style and there is no chart library to embed.

// locView is the locations page: the coordinates on a world map and on a
// close-up of their region (both drawn over the embedded land outline,
// in degrees: x is the longitude, y minus the latitude), and a table.
type locView struct {
	Locs []report.Location
	// Land is the world outline as SVG path data.
	Land string
	// Region is the close-up's viewBox; Box the same area on the world
	// map; R the close-up's dot radius.
	Region string
	Box    struct{ X, Y, W, H string }
	R      string
	Dots   []mapDot
}

type mapDot struct {
	X, Y  string
	Class string
	Title string
	Href  string
}

// minRegionDeg is the least height of the close-up, in degrees: enough
// to show where on a continent the points are, at the outline's coarseness.
const minRegionDeg = 20.0

func newLocView(locs []report.Location, href func(run string, n int) string) *locView {
	v := &locView{Locs: locs, Land: landPath()}
	if len(locs) == 0 {
		return v
	}
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, l := range locs {
		minLat, maxLat = math.Min(minLat, l.Lat), math.Max(maxLat, l.Lat)
		minLon, maxLon = math.Min(minLon, l.Lon), math.Max(maxLon, l.Lon)
	}
	cLat, cLon := (minLat+maxLat)/2, (minLon+maxLon)/2
	h := math.Max(math.Max(maxLat-minLat, (maxLon-minLon)/1.5)*1.4, minRegionDeg)
	w := h * 1.5
	x, y := cLon-w/2, -cLat-h/2
	v.Region = deg(x) + " " + deg(y) + " " + deg(w) + " " + deg(h)
	v.Box.X, v.Box.Y, v.Box.W, v.Box.H = deg(x), deg(y), deg(w), deg(h)
	v.R = deg(h / 60)
	for _, l := range locs {
		cls := "dot-coarse"
		if l.PrecisionM < 1000 {
			cls = "dot-precise"
		}
		v.Dots = append(v.Dots, mapDot{X: deg(l.Lon), Y: deg(-l.Lat), Class: cls, Href: href(l.Run, l.Request),
			Title: fmt.Sprintf("%.5f, %.5f (±%.0f m, %s) %s, run %s", l.Lat, l.Lon, l.PrecisionM, l.Encoding, l.Feature, l.Run)})
	}
	return v
}

func deg(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

// landTxt is Natural Earth's 1:110m land, simplified: see serve/world/README.md.
//
//go:embed world/land.txt
var landTxt string

var landOnce = sync.OnceValue(func() string {
	var b strings.Builder
	for _, ring := range strings.Split(strings.TrimSpace(landTxt), "\n") {
		for i, p := range strings.Fields(ring) {
			lon, lat, ok := strings.Cut(p, ",")
			if !ok {
				continue
			}
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString("L")
			}
			b.WriteString(lon)
			b.WriteString(" ")
			if strings.HasPrefix(lat, "-") {
				b.WriteString(lat[1:])
			} else {
				b.WriteString("-" + lat)
			}
		}
		b.WriteString("Z")
	}
	return b.String()
})

// landPath is the world's land as SVG path data in degrees (y = -lat).
func landPath() string { return landOnce() }

// redactDiff hides identifying values in a diff, as the diff command does.
func (s *server) redactDiff(d *report.DiffResult) *report.DiffResult {
	out := d.Redacted(s.red.rd)
	return &out
}
