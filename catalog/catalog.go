package catalog

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/wxaudit/wxaudit/schemaless"
	"github.com/wxaudit/wxaudit/taxonomy"
)

//go:embed data/catalog.yaml
var embedded []byte

// Endpoint is one request type with its API path and feature.
type Endpoint struct {
	Type    int    `yaml:"type"`
	Path    string `yaml:"path"`
	Feature string `yaml:"feature"`
	Source  string `yaml:"source"` // observed, known, published, user
}

// Rule maps a keyword in an API path to a feature.
type Rule struct {
	Keyword string `yaml:"keyword"`
	Feature string `yaml:"feature"`
}

// FieldDef names one field of a known message.
type FieldDef struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
}

// BaseRequestDef describes the BaseRequest header.
type BaseRequestDef struct {
	Name   string           `yaml:"name"`
	Fields map[int]FieldDef `yaml:"fields"`
}

// file is the YAML form.
type file struct {
	Features    map[string]string            `yaml:"features"`
	Rules       []Rule                       `yaml:"rules"`
	Endpoints   []Endpoint                   `yaml:"endpoints"`
	BaseRequest *BaseRequestDef              `yaml:"base_request"`
	Fields      map[string]map[string]string `yaml:"fields"`
	Coordinates []Axes                       `yaml:"coordinates"`
}

// Conflict is a disagreement about a request type's path.
type Conflict struct {
	Type  int
	Paths []string // every path claimed, with its source: "path (source)"
	Chose string
}

func (c Conflict) String() string {
	return fmt.Sprintf("request type %d: %s; using %s", c.Type, strings.Join(c.Paths, " vs "), c.Chose)
}

// Catalog is the merged knowledge. It is not safe for concurrent use while
// being modified (Merge, Observe, AddPublished).
type Catalog struct {
	Features    map[string]string
	Rules       []Rule
	BaseRequest BaseRequestDef
	// fields maps endpoint path → schemaless path → name.
	fields map[string]map[string]string
	// byType holds every claimed path per request type, by source.
	byType map[int]map[string]string // type → path → source
	// feature per path from endpoint entries.
	featureOf map[string]string
	// axes are the known coordinate pairs, later merges first (axes.go).
	axes []Axes
}

// Default returns the embedded catalog.
func Default() *Catalog {
	c := &Catalog{Features: map[string]string{}, fields: map[string]map[string]string{}, byType: map[int]map[string]string{}, featureOf: map[string]string{}}
	if err := c.Merge(strings.NewReader(string(embedded))); err != nil {
		panic("catalog: internal error: embedded catalog: " + err.Error())
	}
	return c
}

// Merge reads a catalog YAML file and overlays it: its endpoints, rules
// (tried first), field names and BaseRequest fields win over earlier ones.
func (c *Catalog) Merge(r io.Reader) error {
	var f file
	dec := yaml.NewDecoder(io.LimitReader(r, 16<<20))
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("catalog: %w", err)
	}
	for _, a := range f.Coordinates {
		if err := a.check(); err != nil {
			return err
		}
	}
	c.axes = append(append([]Axes(nil), f.Coordinates...), c.axes...)
	for k, v := range f.Features {
		c.Features[k] = v
	}
	c.Rules = append(append([]Rule(nil), f.Rules...), c.Rules...)
	for _, e := range f.Endpoints {
		if e.Path == "" {
			continue
		}
		src := e.Source
		if src == "" {
			src = "user"
		}
		if e.Type != 0 {
			c.claim(e.Type, e.Path, src)
		}
		if e.Feature != "" {
			c.featureOf[e.Path] = e.Feature
		}
	}
	if f.BaseRequest != nil {
		if f.BaseRequest.Name != "" {
			c.BaseRequest.Name = f.BaseRequest.Name
		}
		if c.BaseRequest.Fields == nil {
			c.BaseRequest.Fields = map[int]FieldDef{}
		}
		for k, v := range f.BaseRequest.Fields {
			c.BaseRequest.Fields[k] = v
		}
	}
	for ep, m := range f.Fields {
		if c.fields[ep] == nil {
			c.fields[ep] = map[string]string{}
		}
		for p, n := range m {
			c.fields[ep][p] = n
		}
	}
	return nil
}

func (c *Catalog) claim(typ int, path, source string) {
	m := c.byType[typ]
	if m == nil {
		m = map[string]string{}
		c.byType[typ] = m
	}
	if old, ok := m[path]; ok && rank(old) >= rank(source) {
		return
	}
	m[path] = source
}

// rank orders sources by trust: data seen beats documentation.
func rank(source string) int {
	switch source {
	case "observed":
		return 4
	case "user":
		return 3
	case "known":
		return 2
	case "published":
		return 1
	}
	return 0
}

// Observe records that request type typ was seen with path (from a
// Shortlink envelope or a request log line).
func (c *Catalog) Observe(typ int, path string) {
	if typ != 0 && path != "" {
		c.claim(typ, path, "observed")
	}
}

// AddPublished merges a published "id,path" CSV table (such as Citizen
// Lab's request_types.csv) at the lowest trust.
func (c *Catalog) AddPublished(r io.Reader) error {
	cr := csv.NewReader(io.LimitReader(r, 16<<20))
	cr.FieldsPerRecord = -1
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("catalog: published table: %w", err)
		}
		if len(rec) < 2 {
			continue
		}
		id, err := strconv.Atoi(strings.TrimSpace(rec[0]))
		if err != nil {
			if line == 1 {
				continue // header
			}
			return fmt.Errorf("catalog: published table line %d: bad id %q", line, rec[0])
		}
		c.claim(id, strings.TrimSpace(rec[1]), "published")
	}
}

// Path returns the API path for a request type: the most trusted claim, ties
// broken alphabetically, or "" when unknown.
func (c *Catalog) Path(typ int) string {
	best, bestRank := "", -1
	for p, s := range c.byType[typ] {
		if r := rank(s); r > bestRank || r == bestRank && p < best {
			best, bestRank = p, r
		}
	}
	return best
}

// Conflicts lists the request types with more than one claimed path.
func (c *Catalog) Conflicts() []Conflict {
	var out []Conflict
	for typ, m := range c.byType {
		if len(m) < 2 {
			continue
		}
		cf := Conflict{Type: typ, Chose: c.Path(typ)}
		for p, s := range m {
			cf.Paths = append(cf.Paths, p+" ("+s+")")
		}
		sort.Strings(cf.Paths)
		out = append(out, cf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// Endpoints returns the best path of every known request type.
func (c *Catalog) Endpoints() []Endpoint {
	out := make([]Endpoint, 0, len(c.byType))
	for typ, m := range c.byType {
		p := c.Path(typ)
		out = append(out, Endpoint{Type: typ, Path: p, Feature: c.Feature(p), Source: m[p]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// Feature returns the app feature of an API path: the endpoint entry's, else
// the first matching keyword rule's, else "other".
func (c *Catalog) Feature(path string) string {
	if path == "" {
		return taxonomy.FeatureOther
	}
	if f, ok := c.featureOf[path]; ok {
		return f
	}
	// Keywords match the last path segment (the directory names such as
	// micromsg-bin would match "msg"); keywords with a '/' match the path.
	p := strings.ToLower(path)
	last := p[strings.LastIndexByte(p, '/')+1:]
	for _, r := range c.Rules {
		hay := last
		if strings.Contains(r.Keyword, "/") {
			hay = p
		}
		if strings.Contains(hay, r.Keyword) {
			return r.Feature
		}
	}
	return taxonomy.FeatureOther
}

// Resolve returns the endpoint path and feature for a payload's request
// type and URI; the URI wins when present.
func (c *Catalog) Resolve(typ int, uri string) (path, feature string) {
	path = uri
	if path == "" {
		path = c.Path(typ)
	}
	return path, c.Feature(path)
}

// FieldName returns the catalog name for a schemaless path of an endpoint.
func (c *Catalog) FieldName(endpoint, path string) string {
	return c.fields[endpoint][path]
}

// Apply names the nodes of m: the BaseRequest wherever a message has its
// shape, then the endpoint's known fields. Existing names are kept.
func (c *Catalog) Apply(m *schemaless.Tree, endpoint string) {
	if m == nil || m.Root == nil {
		return
	}
	names := c.fields[endpoint]
	m.Walk(func(n *schemaless.Node, depth int) bool {
		if n.Name == "" && n.Field != 0 && n.Wire != schemaless.WireNone {
			if nm, ok := names[n.Path]; ok {
				n.Name = nm
			}
		}
		if n.Kind == schemaless.KindMessage && depth <= 3 && c.isBaseRequest(n) {
			if n.Name == "" {
				n.Name = c.BaseRequest.Name
			}
			for _, ch := range n.Children {
				if f, ok := c.BaseRequest.Fields[int(ch.Field)]; ok && ch.Name == "" {
					ch.Name = n.Name + "." + f.Name
				}
			}
		}
		return true
	})
}

// isBaseRequest reports whether n has the BaseRequest's shape: at least
// three of uin (varint), device id (string), client version (varint) and
// device type (string), with nothing outside fields 1–6 and no repeats.
func (c *Catalog) isBaseRequest(n *schemaless.Node) bool {
	if len(c.BaseRequest.Fields) == 0 || len(n.Children) < 3 || len(n.Children) > 8 {
		return false
	}
	match := 0
	seen := map[int32]bool{}
	for _, ch := range n.Children {
		if seen[ch.Field] {
			return false
		}
		seen[ch.Field] = true
		f, ok := c.BaseRequest.Fields[int(ch.Field)]
		if !ok {
			return false
		}
		switch f.Kind {
		case "varint":
			if ch.Kind == schemaless.KindVarint && ch.Field != 6 {
				match++
			}
		case "string":
			if ch.Kind == schemaless.KindString {
				match++
			}
		}
	}
	return match >= 3
}
