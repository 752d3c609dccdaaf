package report

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// Report is the result of one analysis.
type Report struct {
	Runs     []Run     `json:"runs"`
	Requests []Request `json:"requests"`
	Findings []Finding `json:"findings"`
	// Errors lists per-input or per-request problems; analysis continued.
	Errors []string `json:"errors,omitempty"`
	// Policy is set when a policy model was applied.
	Policy *PolicyResult `json:"policy,omitempty"`
	// Claims are the study's answers computed from the findings.
	Claims []Claim `json:"claims,omitempty"`
	// Synthetic marks a report of traffic wxaudit generated (demo, synth):
	// its first screen says so.
	Synthetic bool `json:"synthetic,omitempty"`
	// Render says how the shareable files are written.
	Render RenderOptions `json:"-"`
	// redacted is set on the copy Redacted returns.
	redacted bool
}

// RenderOptions control the shareable report files.
type RenderOptions struct {
	// Reveal shows the researcher's identifiers and precise coordinates
	// instead of pseudonyms and ~1 km coordinates.
	Reveal bool
	// RedactionKey keys the pseudonyms; nil draws a random key.
	RedactionKey []byte
}

// Run is one experiment: an input file, or its own part when its log
// extends another input's log (see attribute.SplitRuns).
type Run struct {
	Label  string `json:"label"`
	Source string `json:"source"`
	// Extends names the run whose log is a prefix of this one's; this run's
	// own requests are the lines after SkipLines.
	Extends     string `json:"extends,omitempty"`
	SkipLines   int    `json:"skip_lines,omitempty"`
	Lines       int    `json:"lines"`
	Requests    int    `json:"requests"`
	Permissions string `json:"permissions"` // on, off, unknown
	// LineSpan is "first-last" for a run derived from a cumulative log
	// (lines SkipLines+1 to Lines of Source): what remains after the
	// prefix that is the run it Extends.
	LineSpan string `json:"line_span,omitempty"`
	// AppStarts counts the app's logins in the run (autoauth, manualauth
	// requests); MPSessions its distinct Mini Program sessions. A run
	// with several of either, or derived from a cumulative log, may hold
	// more than one experiment: SeveralExperiments says so, and claims
	// that compare runs never rest a contradiction on it alone.
	AppStarts          int  `json:"app_starts"`
	MPSessions         int  `json:"miniprogram_sessions"`
	SeveralExperiments bool `json:"several_experiments,omitempty"`
	// Decryption is set for a run read from a capture: what was decrypted
	// and, by reason, what was not.
	Decryption *Decryption `json:"decryption,omitempty"`
}

// Decryption summarises decrypting one capture. Counts only: never key
// material or plaintext.
type Decryption struct {
	Connections      int `json:"connections"`
	Records          int `json:"records"`
	RecordsEncrypted int `json:"records_encrypted"`
	RecordsDecrypted int `json:"records_decrypted"`
	// RecordsNotDecrypted counts MMTLS records left encrypted, by reason
	// ("no key", "tag mismatch", "bytes missing from capture", …).
	RecordsNotDecrypted map[string]int `json:"records_not_decrypted,omitempty"`
	Payloads            int            `json:"payloads"`
	// PayloadsNotDecrypted counts business payloads whose inner layer
	// could not be opened, by reason.
	PayloadsNotDecrypted map[string]int `json:"payloads_not_decrypted,omitempty"`
	// SkippedBytes counts stream bytes that could not be framed, by reason.
	SkippedBytes map[string]int64 `json:"skipped_bytes,omitempty"`
	// Error is set when the capture ended early (truncated) or failed.
	Error string `json:"error,omitempty"`
}

// NotDecrypted lists "reason: count" for records, payloads and skipped
// bytes, sorted, for display.
func (d *Decryption) NotDecrypted() []string {
	var out []string
	for k, v := range d.RecordsNotDecrypted {
		out = append(out, fmt.Sprintf("%d records: %s", v, k))
	}
	for k, v := range d.PayloadsNotDecrypted {
		out = append(out, fmt.Sprintf("%d payloads: %s", v, k))
	}
	for k, v := range d.SkippedBytes {
		out = append(out, fmt.Sprintf("%d bytes skipped: %s", v, k))
	}
	sort.Strings(out)
	return out
}

// Request is one request of a run, for the timeline.
type Request struct {
	ID      int    `json:"id"` // index in Report.Requests
	Run     string `json:"run"`
	Seq     int    `json:"seq"` // order within the run, from 1
	Time    string `json:"time,omitempty"`
	Feature string `json:"feature"`
	// FeatureReason says why, when the feature came from the request's
	// content rather than the catalog (a pathless request type).
	FeatureReason string   `json:"feature_reason,omitempty"`
	Recipient     string   `json:"recipient"`
	URI           string   `json:"uri,omitempty"`
	ReqType       int      `json:"req_type,omitempty"`
	Size          int      `json:"size"`
	Source        string   `json:"source"`
	DataTypes     []string `json:"data_types,omitempty"`
	// Payload is the request's decrypted bytes, kept when the analysis
	// asks for them (analyze.Options.KeepPayloads) so a report folder can
	// show the decoded request; requests.jsonl holds it, in hex.
	Payload HexBytes `json:"payload,omitempty"`
}

// HexBytes is bytes written in JSON as lowercase hex, as wxaudit's other
// files write payloads.
type HexBytes []byte

// MarshalJSON writes the bytes as a hex string.
func (h HexBytes) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, 2*len(h)+2)
	out = append(out, '"')
	out = hex.AppendEncode(out, h)
	return append(out, '"'), nil
}

// UnmarshalJSON reads a hex string.
func (h *HexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	*h = v
	return nil
}

// Finding is one line of findings.jsonl.
type Finding struct {
	ID          string `json:"id"`
	DataType    string `json:"data_type"`
	Confidence  string `json:"confidence"`
	Feature     string `json:"feature"`
	Recipient   string `json:"recipient"`
	URI         string `json:"uri,omitempty"`
	ReqType     int    `json:"req_type,omitempty"`
	Run         string `json:"run"`
	Permissions string `json:"permissions,omitempty"`
	Time        string `json:"time,omitempty"`
	Request     int    `json:"request"` // Request.ID
	AppID       string `json:"appid,omitempty"`
	// MPSession and MPPage are the Mini Program session and page the
	// finding's entry states (a route report's sessionid and page_path),
	// when it is tied to an appid; claims counts stay times per (appid,
	// page, session) and sessions per appid with them.
	MPSession string `json:"mp_session,omitempty"`
	MPPage    string `json:"mp_page,omitempty"`
	// Entry numbers the report line or repeated element of the request
	// that holds the value (0: none); values of one entry are one event.
	Entry    int             `json:"entry,omitempty"`
	Evidence Evidence        `json:"evidence"`
	Coord    *classify.Coord `json:"coord,omitempty"`
	Source   Source          `json:"source"`
}

// Evidence says where in the request the data is and why it is that type.
type Evidence struct {
	FieldPath string `json:"field_path"`
	Value     string `json:"value"`
	Rule      string `json:"rule"`
	// AlsoRules lists the other rules that recognised the same value at
	// the same field as the same data type: one value is one finding.
	AlsoRules []string `json:"also_rules,omitempty"`
	Reason    string   `json:"reason"`
	// Span is where the value's bytes are in the request payload (or the
	// encoded run that holds them, for values inside zlib or base64).
	Span *Span `json:"span,omitempty"`
	// Context is the report line that holds the value, when it is in one.
	Context string `json:"context,omitempty"`
}

// Span is a byte range of a request payload.
type Span struct {
	Offset int `json:"offset"`
	Length int `json:"length"`
}

// Source is the provenance of a finding: the input file and line, or
// capture frames.
type Source struct {
	File   string  `json:"file,omitempty"`
	Line   int     `json:"line,omitempty"`
	Frames []int64 `json:"frames,omitempty"`
}

// PolicyResult is the outcome of comparing the findings with a policy model.
type PolicyResult struct {
	Model   string `json:"model"`
	Title   string `json:"title,omitempty"`
	Version string `json:"version,omitempty"`
	Gaps    []Gap  `json:"gaps"`
}

// Gap is one policy gap, as rendered in the Policy section.
type Gap struct {
	Kind      string   `json:"kind"`
	DataType  string   `json:"data_type"`
	Feature   string   `json:"feature"`
	Recipient string   `json:"recipient"`
	Run       string   `json:"run,omitempty"`
	Clause    string   `json:"clause,omitempty"`
	Statement string   `json:"statement"`
	Findings  []string `json:"findings,omitempty"`
	// Packed holds the finding IDs instead of Findings in a report built
	// as it is written (analyze.Write): policy.json lists them from here.
	Packed *FindingIDs `json:"-"`
}

// FindingCount counts the gap's findings.
func (g *Gap) FindingCount() int {
	if g.Packed != nil {
		return g.Packed.Len()
	}
	return len(g.Findings)
}

// EachFinding calls fn with each of the gap's finding IDs until it returns
// false; id is valid only during the call.
func (g *Gap) EachFinding(fn func(id []byte) bool) {
	if g.Packed != nil {
		g.Packed.Each(fn)
		return
	}
	for _, id := range g.Findings {
		if !fn([]byte(id)) {
			return
		}
	}
}

// Summary is summary.json.
type Summary struct {
	Runs         []RunSummary  `json:"runs"`
	MiniPrograms []MiniProgram `json:"miniprograms"`
	Locations    []Location    `json:"locations"`
}

// RunSummary aggregates one run.
type RunSummary struct {
	Run         string                    `json:"run"`
	Permissions string                    `json:"permissions"`
	Requests    int                       `json:"requests"`
	DataTypes   map[string]int            `json:"data_types"`
	Features    map[string]map[string]int `json:"features"` // feature → data type → count
	ReqTypes    map[string]int            `json:"req_types"`
}

// MiniProgram is the Mini Program view of one appid.
type MiniProgram struct {
	AppID    string   `json:"appid"`
	Runs     []string `json:"runs"`
	Launches int      `json:"launches"`
	// LaunchesInferred is set when no launch request was seen but the
	// Mini Program's pages or events were reported: it ran at least once.
	LaunchesInferred bool           `json:"launches_inferred,omitempty"`
	Pages            []PageVisit    `json:"pages"`
	UIEvents         int            `json:"ui_events"`
	Searches         int            `json:"searches"`
	Endpoints        map[string]int `json:"endpoints"` // URI → requests reporting about it
	DataTypes        map[string]int `json:"data_types"`
	Recipient        []string       `json:"recipients"`
}

// PageVisit is one page seen for a Mini Program.
type PageVisit struct {
	Page     string `json:"page"`
	Run      string `json:"run"`
	Time     string `json:"time,omitempty"`
	StayMS   int64  `json:"stay_ms,omitempty"`
	Request  int    `json:"request"`
	Entry    int    `json:"entry,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
}

// Location is one coordinate sent.
type Location struct {
	Lat         float64 `json:"lat"`
	Lon         float64 `json:"lon"`
	PrecisionM  float64 `json:"precision_m"`
	Encoding    string  `json:"encoding"`
	DataType    string  `json:"data_type"`
	Run         string  `json:"run"`
	Permissions string  `json:"permissions"`
	Feature     string  `json:"feature"`
	URI         string  `json:"uri,omitempty"`
	ReqType     int     `json:"req_type,omitempty"`
	Request     int     `json:"request"`
	Finding     string  `json:"finding"`
}

// DataTypes returns the data types found in run (all runs when run is ""),
// sorted by taxonomy order.
func (r *Report) DataTypes(run string) []string {
	seen := map[string]bool{}
	for _, f := range r.Findings {
		if run == "" || f.Run == run {
			seen[f.DataType] = true
		}
	}
	return taxonomyOrder(seen)
}

func taxonomyOrder(set map[string]bool) []string {
	var out []string
	for _, t := range taxonomy.All {
		if set[string(t.Name)] {
			out = append(out, string(t.Name))
			delete(set, string(t.Name))
		}
	}
	var rest []string
	for k := range set {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(out, rest...)
}
