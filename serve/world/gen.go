//go:build ignore

// gen writes land.txt, the world outline of the Locations page, from
// Natural Earth's 1:110m land as TopoJSON (world-atlas's land-110m.json):
//
//	npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
//	go run gen.go package/land-110m.json > land.txt
//
// Each ring is decoded from its arcs, simplified (Douglas-Peucker,
// tolerance 0.25°) and rounded to 0.1°; rings smaller than 1.5 square
// degrees are dropped; a ring crossing the antimeridian is unwrapped and
// written twice, 360° apart. One ring a line: "lon,lat lon,lat …".
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

const (
	tolerance = 0.25
	minArea   = 1.5
)

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Land struct {
			Geometries []struct {
				Type string          `json:"type"`
				Arcs json.RawMessage `json:"arcs"`
			} `json:"geometries"`
		} `json:"land"`
	} `json:"objects"`
}

type pt struct{ x, y float64 }

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Decode the delta-encoded, quantized arcs.
	arcs := make([][]pt, len(t.Arcs))
	for i, a := range t.Arcs {
		var x, y float64
		for _, d := range a {
			x += d[0]
			y += d[1]
			arcs[i] = append(arcs[i], pt{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]})
		}
	}
	var out strings.Builder
	for _, g := range t.Objects.Land.Geometries {
		var polys [][][]int
		switch g.Type {
		case "MultiPolygon":
			json.Unmarshal(g.Arcs, &polys)
		case "Polygon":
			var p [][]int
			json.Unmarshal(g.Arcs, &p)
			polys = [][][]int{p}
		}
		for _, p := range polys {
			for _, ring := range p {
				var r []pt
				for _, ai := range ring {
					a := arcs[ai]
					if ai < 0 {
						a = reversed(arcs[^ai])
					}
					if len(r) > 0 {
						a = a[1:]
					}
					r = append(r, a...)
				}
				if math.Abs(area(r)) < minArea {
					continue
				}
				r = simplify(unwrap(r), tolerance)
				if len(r) < 4 {
					continue
				}
				// A ring across the antimeridian is written whole, past
				// ±180°, and again shifted by 360°: the map's frame clips
				// each copy to its side.
				lo, hi := r[0].x, r[0].x
				for _, p := range r {
					lo, hi = math.Min(lo, p.x), math.Max(hi, p.x)
				}
				shifts := []float64{0}
				if hi > 180 {
					shifts = append(shifts, -360)
				}
				if lo < -180 {
					shifts = append(shifts, 360)
				}
				for _, sh := range shifts {
					for i, p := range r {
						if i > 0 {
							out.WriteByte(' ')
						}
						fmt.Fprintf(&out, "%.1f,%.1f", p.x+sh, p.y)
					}
					out.WriteByte('\n')
				}
			}
		}
	}
	os.Stdout.WriteString(out.String())
}

// unwrap makes a ring's longitudes continuous: a step of more than 180°
// crosses the antimeridian.
func unwrap(r []pt) []pt {
	out := make([]pt, len(r))
	off := 0.0
	for i, p := range r {
		if i > 0 {
			switch d := p.x + off - out[i-1].x; {
			case d > 180:
				off -= 360
			case d < -180:
				off += 360
			}
		}
		out[i] = pt{p.x + off, p.y}
	}
	return out
}

func reversed(a []pt) []pt {
	r := make([]pt, len(a))
	for i, p := range a {
		r[len(a)-1-i] = p
	}
	return r
}

func area(r []pt) float64 {
	s := 0.0
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i].x*r[j].y - r[j].x*r[i].y
	}
	return s / 2
}

// simplify is Douglas-Peucker over an open polyline (the ring's closing
// point is kept as its last point).
func simplify(r []pt, tol float64) []pt {
	if len(r) < 3 {
		return r
	}
	keep := make([]bool, len(r))
	keep[0], keep[len(r)-1] = true, true
	var rec func(i, j int)
	rec = func(i, j int) {
		best, at := 0.0, -1
		for k := i + 1; k < j; k++ {
			if d := dist(r[k], r[i], r[j]); d > best {
				best, at = d, k
			}
		}
		if at >= 0 && best > tol {
			keep[at] = true
			rec(i, at)
			rec(at, j)
		}
	}
	// A closed ring's ends coincide: split it at its farthest point.
	far := 0
	for k := range r {
		if dist(r[k], r[0], r[0]) > dist(r[far], r[0], r[0]) {
			far = k
		}
	}
	keep[far] = true
	rec(0, far)
	rec(far, len(r)-1)
	var out []pt
	for k, p := range r {
		if keep[k] {
			out = append(out, p)
		}
	}
	return out
}

func dist(p, a, b pt) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	if dx == 0 && dy == 0 {
		return math.Hypot(p.x-a.x, p.y-a.y)
	}
	t := ((p.x-a.x)*dx + (p.y-a.y)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(p.x-a.x-t*dx, p.y-a.y-t*dy)
}
