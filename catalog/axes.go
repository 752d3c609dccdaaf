// This file holds what the catalog knows about coordinate pairs: in which
// order a known field or report line sends its latitude and longitude.
// WeChat sends longitude first in several protobufs and report lines and
// latitude first in others; magnitude alone cannot tell them apart wherever
// both values are within ±90° (Europe, Africa, India, most of Asia's west),
// so the order is recorded here, once, as knowledge (classify/TAXONOMY.md,
// "Axis order").

package catalog

import (
	"fmt"
	"strings"
)

// Axis orders a pair's two values.
const (
	OrderLatLon = "lat,lon" // latitude first
	OrderLonLat = "lon,lat" // longitude first
)

// Axes records the axis order of one known coordinate pair.
type Axes struct {
	// Type and Path name the endpoint (request type, API path); a pair
	// matches when either is given and equal. Both empty match nothing.
	Type int    `yaml:"type"`
	Path string `yaml:"path"`
	// At is the schemaless path of the pair's first value; the second is
	// its next sibling (next field number or next report-line position),
	// or At itself for a pair written into one string ("lat,lon").
	At string `yaml:"at"`
	// LogID and LogAt restrict the entry to report lines of one log id:
	// LogAt is the path of the leaf holding the id, read before the line.
	LogID int    `yaml:"log_id"`
	LogAt string `yaml:"log_at"`
	// Order is OrderLatLon or OrderLonLat.
	Order string `yaml:"order"`
	// Zigzag says integer micro-degrees are sint32/sint64 (zigzag) varints.
	Zigzag bool `yaml:"zigzag"`
	// Note says where the order was learned.
	Note string `yaml:"note"`
}

// check validates an entry read from YAML.
func (a Axes) check() error {
	if a.At == "" || (a.Type == 0 && a.Path == "") {
		return fmt.Errorf("catalog: coordinates entry %+v: needs at and a type or path", a)
	}
	if a.Order != OrderLatLon && a.Order != OrderLonLat {
		return fmt.Errorf("catalog: coordinates entry at %q: order %q is not %q or %q", a.At, a.Order, OrderLatLon, OrderLonLat)
	}
	if (a.LogID != 0) != (a.LogAt != "") {
		return fmt.Errorf("catalog: coordinates entry at %q: log_id and log_at go together", a.At)
	}
	return nil
}

// AxesFor returns the known coordinate pairs of an endpoint, by request
// type or API path, later-merged entries first. The slice is shared: do not
// modify it.
func (c *Catalog) AxesFor(typ int, path string) []Axes {
	var out []Axes
	for _, a := range c.axes {
		if (a.Type != 0 && a.Type == typ) || (a.Path != "" && path != "" && strings.TrimSuffix(a.Path, "/") == strings.TrimSuffix(path, "/")) {
			out = append(out, a)
		}
	}
	return out
}

// AllAxes returns every known coordinate pair, later-merged entries first.
func (c *Catalog) AllAxes() []Axes { return append([]Axes(nil), c.axes...) }
