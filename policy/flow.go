// This file defines Flow, the unit the comparison consumes, and reads the
// findings.jsonl written by `wxaudit analyze` into flows.

package policy

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wxaudit/wxaudit/attribute"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// Flow is one observed data flow: a data type sent to a recipient during a
// feature in one run, aggregated over the findings that show it.
type Flow struct {
	DataType    string   // taxonomy.DataType name, e.g. "miniprogram_page_path"
	Recipient   string   // one of the Recipient* constants
	Feature     string   // catalog feature: messaging, moments, miniprograms, channels, search, …
	Run         string   // run label
	Permissions string   // PermOn, PermOff or PermUnknown ("" means unknown)
	URIs        []string // API paths of the requests that carry it, sorted, unique
	ReqTypes    []int    // request type ids, sorted, unique
	FindingIDs  []string // links back to findings.jsonl: the finding's "id", else "findings.jsonl:LINE"
	// Packed holds the finding IDs instead of FindingIDs in the flows of
	// FlowSet.PackedFlows: a report built as it is written lists them from
	// there, without a string per finding in memory.
	Packed  *report.FindingIDs
	Subject string // optional: what the data is about, e.g. a Mini Program appid

	// Examples are up to MaxExamples findings, in input order, for the
	// evidence chain. They never carry the value itself: values are
	// decrypted user data and stay in findings.jsonl.
	Examples []Evidence
}

// Evidence is one link of the chain packet → finding: where the finding came
// from and which rule made it.
type Evidence struct {
	Finding   string `json:"finding"`              // finding ID
	Source    string `json:"source,omitempty"`     // input file and line, or capture frames
	URI       string `json:"uri,omitempty"`        // API path of the request
	ReqType   int    `json:"req_type,omitempty"`   // request type id
	FieldPath string `json:"field_path,omitempty"` // where in the request
	Rule      string `json:"rule,omitempty"`       // detection rule
	Time      string `json:"time,omitempty"`
}

// MaxExamples bounds Flow.Examples and Gap.Examples.
const MaxExamples = 5

// finding is the subset of a findings.jsonl line that the comparison reads.
// Unknown fields are ignored so analyze may add more.
type finding struct {
	ID          string          `json:"id,omitempty"`
	DataType    string          `json:"data_type"`
	Confidence  string          `json:"confidence,omitempty"`
	Feature     string          `json:"feature"`
	Recipient   string          `json:"recipient"`
	URI         string          `json:"uri,omitempty"`
	ReqType     int             `json:"req_type,omitempty"`
	Run         string          `json:"run"`
	Time        string          `json:"time,omitempty"`
	Source      json.RawMessage `json:"source,omitempty"` // a string or an object; kept as text
	Permissions string          `json:"permissions,omitempty"`
	Subject     string          `json:"subject,omitempty"`
	AppID       string          `json:"appid,omitempty"`
	Evidence    struct {
		FieldPath string `json:"field_path"`
		Rule      string `json:"rule"`
	} `json:"evidence"`
}

// ReadOptions controls how findings become flows.
type ReadOptions struct {
	// Permissions maps a run label to its permission state. Runs not in
	// the map get the state from their findings' "permissions" field, else
	// from their label (attribute.RunPermissions), else PermUnknown.
	Permissions map[string]string
	// MinConfidence drops findings below it ("high", "medium", "low"; ""
	// keeps all). Findings without a confidence are kept.
	MinConfidence string
}

// Bounds on findings.jsonl input: one line and the whole file.
const (
	maxFindingLine = 1 << 20
	maxFindings    = 5_000_000
)

// ReadFindings reads findings.jsonl from r and aggregates the findings into
// flows by (data_type, recipient, feature, run), in order of first
// appearance. name labels finding IDs ("findings.jsonl:12"). A malformed
// line is an error naming its line number. Memory is bounded by the number
// of distinct flows plus MaxExamples per flow, and the finding IDs.
func ReadFindings(r io.Reader, name string, opts ReadOptions) ([]Flow, error) {
	if name == "" {
		name = "findings.jsonl"
	}
	fs := NewFlowSet(opts)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxFindingLine)
	line := 0
	for sc.Scan() {
		line++
		if line > maxFindings {
			return nil, fmt.Errorf("policy: %s: more than %d findings", name, maxFindings)
		}
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var f finding
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("policy: %s:%d: %w", name, line, err)
		}
		if f.DataType == "" {
			return nil, fmt.Errorf("policy: %s:%d: finding without data_type", name, line)
		}
		id := f.ID
		if id == "" {
			id = fmt.Sprintf("%s:%d", name, line)
		}
		fs.add(&f, id, sourceText(f.Source))
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("policy: %s:%d: line longer than %d bytes", name, line+1, maxFindingLine)
		}
		return nil, fmt.Errorf("policy: %s: %w", name, err)
	}
	return fs.Flows(), nil
}

// FlowSet aggregates findings into flows as they come, so that a report
// in memory, or one being written, is compared without reading it back.
// Memory is bounded by the distinct flows plus MaxExamples per flow, and
// the finding IDs (packed, 8 bytes each for analyze's).
type FlowSet struct {
	opts    ReadOptions
	minRank int
	index   map[flowKey]int
	flows   []Flow              // without their FindingIDs, which are in ids
	ids     []report.FindingIDs // each flow's finding IDs
}

// flowKey is what makes two findings one flow. Findings that name their
// subject (a Mini Program's appid) and findings that do not are separate
// flows: a batch of WeChat's own telemetry that holds one Mini Program's
// report line must not become a Mini Program flow of thousands of generic
// findings, with generic evidence.
type flowKey struct {
	dt, rcpt, feat, run string
	subject             bool
}

// NewFlowSet returns an empty FlowSet.
func NewFlowSet(opts ReadOptions) *FlowSet {
	return &FlowSet{opts: opts, minRank: confidenceRank(opts.MinConfidence), index: map[flowKey]int{}}
}

// FlowsOf aggregates a report's findings into flows, as ReadFindings does
// with the findings.jsonl the report writes.
func FlowsOf(findings []report.Finding, opts ReadOptions) []Flow {
	fs := NewFlowSet(opts)
	for i := range findings {
		fs.Add(&findings[i])
	}
	return fs.Flows()
}

// Add counts one finding of a report.
func (s *FlowSet) Add(rf *report.Finding) {
	f := finding{ID: rf.ID, DataType: rf.DataType, Confidence: rf.Confidence, Feature: rf.Feature, Recipient: rf.Recipient,
		URI: rf.URI, ReqType: rf.ReqType, Run: rf.Run, Time: rf.Time, Permissions: rf.Permissions, AppID: rf.AppID}
	f.Evidence.FieldPath, f.Evidence.Rule = rf.Evidence.FieldPath, rf.Evidence.Rule
	src := rf.Source
	s.add(&f, rf.ID, sourceLoc(src.File, src.Line, src.Frames))
}

func (s *FlowSet) add(f *finding, id, source string) {
	if f.Confidence != "" && confidenceRank(f.Confidence) < s.minRank {
		return
	}
	k := flowKey{f.DataType, orDefault(f.Recipient, taxonomy.RecipientOther), orDefault(f.Feature, taxonomy.FeatureOther), f.Run,
		orDefault(f.Subject, f.AppID) != ""}
	i, ok := s.index[k]
	if !ok {
		i = len(s.flows)
		s.index[k] = i
		s.flows = append(s.flows, Flow{DataType: k.dt, Recipient: k.rcpt, Feature: k.feat, Run: k.run})
		s.ids = append(s.ids, report.FindingIDs{})
	}
	fl := &s.flows[i]
	if f.URI != "" && !slices.Contains(fl.URIs, f.URI) {
		fl.URIs = append(fl.URIs, f.URI)
	}
	if f.ReqType != 0 && !slices.Contains(fl.ReqTypes, f.ReqType) {
		fl.ReqTypes = append(fl.ReqTypes, f.ReqType)
	}
	s.ids[i].Add(id)
	if fl.Permissions == "" && f.Permissions != "" {
		fl.Permissions = normPerm(f.Permissions)
	}
	subj := orDefault(f.Subject, f.AppID)
	if subj != "" {
		switch fl.Subject {
		case "":
			fl.Subject = subj
		case subj:
		default:
			if !strings.Contains(","+fl.Subject+",", ","+subj+",") && len(fl.Subject) < 1024 {
				fl.Subject += "," + subj
			}
		}
	}
	if len(fl.Examples) < MaxExamples {
		fl.Examples = append(fl.Examples, Evidence{
			Finding: id, Source: source, URI: f.URI, ReqType: f.ReqType,
			FieldPath: f.Evidence.FieldPath, Rule: f.Evidence.Rule, Time: f.Time,
		})
	}
}

// Flows returns the flows so far, in order of first appearance, with
// their lists sorted and their permission states resolved.
func (s *FlowSet) Flows() []Flow {
	flows := s.PackedFlows()
	for i := range flows {
		flows[i].FindingIDs, flows[i].Packed = flows[i].Packed.Strings(), nil
	}
	return flows
}

// PackedFlows is Flows with each flow's finding IDs in Flow.Packed, which
// the FlowSet keeps: add nothing more once called.
func (s *FlowSet) PackedFlows() []Flow {
	flows := slices.Clone(s.flows)
	for i := range flows {
		fl := &flows[i]
		fl.Packed = &s.ids[i]
		fl.URIs = slices.Sorted(slices.Values(fl.URIs))
		fl.ReqTypes = slices.Sorted(slices.Values(fl.ReqTypes))
		if p, ok := s.opts.Permissions[fl.Run]; ok {
			fl.Permissions = normPerm(p)
		} else if fl.Permissions == "" {
			fl.Permissions = attribute.RunPermissions(fl.Run)
		}
	}
	return flows
}

// ReadReport reads DIR/findings.jsonl into flows, as ReadFindings.
func ReadReport(dir string, opts ReadOptions) ([]Flow, error) {
	f, err := os.Open(filepath.Join(dir, "findings.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	return ReadFindings(f, "findings.jsonl", opts)
}

func normPerm(p string) string {
	if strings.Contains(p, "=") && attribute.ValidPermissions(p) {
		return strings.TrimSpace(p) // one state per permission: read per gate
	}
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "on", "granted", "true", "yes":
		return taxonomy.PermOn
	case "off", "denied", "false", "no":
		return taxonomy.PermOff
	}
	return taxonomy.PermUnknown
}

func confidenceRank(c string) int {
	switch strings.ToLower(c) {
	case "high":
		return 3
	case "medium":
		return 2
	case "low":
		return 1
	}
	return 0
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// sourceText renders a finding's source (a JSON string or object) as one
// short line.
func sourceText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return truncate(s, 200)
	}
	var loc struct {
		File   string  `json:"file"`
		Line   int     `json:"line"`
		Frames []int64 `json:"frames"`
	}
	if json.Unmarshal(raw, &loc) == nil && (loc.File != "" || len(loc.Frames) > 0) {
		return sourceLoc(loc.File, loc.Line, loc.Frames)
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var b strings.Builder
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s=%v", k, m[k])
		}
		return truncate(b.String(), 200)
	}
	return truncate(string(raw), 200)
}

// sourceLoc renders a report's provenance: "file:line", or capture frames.
func sourceLoc(file string, line int, frames []int64) string {
	if file == "" && len(frames) == 0 {
		if line > 0 {
			return fmt.Sprintf("line=%d", line) // as sourceText renders {"line": n}
		}
		return ""
	}
	s := file
	if line > 0 {
		s += fmt.Sprintf(":%d", line)
	}
	if len(frames) > 0 {
		fs := make([]string, 0, min(len(frames), 8))
		for i, f := range frames {
			if i == 8 {
				fs = append(fs, "…")
				break
			}
			fs = append(fs, fmt.Sprint(f))
		}
		s = strings.TrimSpace(s + " frames " + strings.Join(fs, ","))
	}
	return truncate(s, 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// ParseRunPermissions parses "RUN=on,RUN=off,RUN=unknown" into a map from run
// label to permission state, for ReadOptions.Permissions; "" is no override.
func ParseRunPermissions(s string) (map[string]string, error) {
	m := map[string]string{}
	if s == "" {
		return m, nil
	}
	for _, kv := range strings.Split(s, ",") {
		run, state, ok := strings.Cut(kv, "=")
		if !ok || run == "" || (state != taxonomy.PermOn && state != taxonomy.PermOff && state != taxonomy.PermUnknown) {
			return nil, fmt.Errorf("bad --permissions item %q", kv)
		}
		m[run] = state
	}
	return m, nil
}

// Findings counts the flow's findings.
func (fl *Flow) Findings() int {
	if fl.Packed != nil {
		return fl.Packed.Len()
	}
	return len(fl.FindingIDs)
}
