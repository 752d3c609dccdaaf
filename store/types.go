package store

import (
	"time"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/runfolder"
)

// Run kinds and statuses.
const (
	KindCapture = "capture" // a run folder: capture + key logs
	KindLog     = "log"     // a request-log file

	StatusOK     = "ok"
	StatusFailed = "failed" // Error says why; the run has no requests
)

// Run is one row of runs.
type Run struct {
	Run         string    `json:"run"`
	Source      string    `json:"source"`
	Kind        string    `json:"kind"`
	Status      string    `json:"status"`
	Error       string    `json:"error,omitempty"`
	Fingerprint string    `json:"fingerprint"`
	AnalysedAt  time.Time `json:"analysed_at"`
	// Permissions is on, off or unknown: the location permission when
	// run.yaml names it, else the run's only stated permission, else the
	// state guessed from the label.
	Permissions      string            `json:"permissions"`
	PermissionStates map[string]string `json:"permission_states,omitempty"`
	Category         string            `json:"category,omitempty"`
	Device           runfolder.Device  `json:"device"`
	App              runfolder.App     `json:"app"`
	Started          time.Time         `json:"started,omitzero"`
	Steps            []runfolder.Step  `json:"steps,omitempty"`

	Requests  int      `json:"requests"`
	Findings  int      `json:"findings"`
	DataTypes []string `json:"data_types"`
	// DecryptedPayloads counts requests with a readable payload; runs
	// with none are left out of the share denominators.
	DecryptedPayloads int `json:"decrypted_payloads"`
	// MiniProgramBrowsing: the run sent pages visited, UI events or stay
	// times of a Mini Program to WeChat (the PETS 2025 definition).
	MiniProgramBrowsing bool `json:"miniprogram_browsing"`
	// Decryption coverage; nil for request logs, which hold plaintext.
	RecordsEncrypted     *int     `json:"records_encrypted,omitempty"`
	RecordsDecrypted     *int     `json:"records_decrypted,omitempty"`
	PayloadsNotDecrypted *int     `json:"payloads_not_decrypted,omitempty"`
	Coverage             *float64 `json:"coverage,omitempty"`
	NotDecrypted         []string `json:"not_decrypted,omitempty"`
	AnalysisErrors       int      `json:"analysis_errors"`
	// Extends, SkipLines and Lines say that a request log's run is what
	// remains after a prefix that is another run (report.Run).
	Extends   string `json:"extends,omitempty"`
	SkipLines int    `json:"skip_lines,omitempty"`
	Lines     int    `json:"lines,omitempty"`
}

// String is one decoded string value of a request, for search.
type String struct {
	FieldPath string `json:"field_path"`
	Value     string `json:"value"`
}

// Payload is what PutRun stores beside a request: its plaintext and its
// decoded string values.
type Payload struct {
	Request int // report.Request.ID
	Bytes   []byte
	Strings []String
}

// RequestDetail is one request with everything stored about it.
type RequestDetail struct {
	report.Request
	Payload  []byte           `json:"payload"`
	Strings  []String         `json:"strings"`
	Findings []report.Finding `json:"findings"`
}

// Hit is one search match.
type Hit struct {
	Run       string `json:"run"`
	Request   int    `json:"request"`
	FieldPath string `json:"field_path"`
	Value     string `json:"value"`
	Feature   string `json:"feature"`
	URI       string `json:"uri"`
}

// Cell is one cell of the runs × data types table.
type Cell struct {
	Run      string `json:"run"`
	DataType string `json:"data_type"`
	Findings int    `json:"findings"`
	Requests int    `json:"requests"`
}

// Page selects a slice of a result: Limit 0 means DefaultLimit; Limit is
// capped at MaxLimit.
type Page struct {
	Offset int
	Limit  int
}

// Paging bounds.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

func (p Page) bounds() (limit, offset int) {
	limit, offset = p.Limit, p.Offset
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// RequestFilter selects requests; empty fields match everything.
type RequestFilter struct {
	Run       string
	Feature   string
	Recipient string
	URI       string
	DataType  string // requests with at least one finding of this type
	Page
}

// FindingFilter selects findings; empty fields match everything.
type FindingFilter struct {
	Run        string
	DataType   string
	Feature    string
	Recipient  string
	Confidence string
	Page
}

// GapFilter selects policy gaps; empty fields match everything.
type GapFilter struct {
	Run      string
	Kind     string
	DataType string
	Page
}

// SearchFilter narrows a search.
type SearchFilter struct {
	Run string
	Page
}
