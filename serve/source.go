package serve

import (
	"context"
	"errors"

	"github.com/wxaudit/wxaudit/filter"
	"github.com/wxaudit/wxaudit/report"
)

// Source is the read-only data the server shows: a report folder indexed in
// memory (ReportSource) or a corpus store. Every method is safe for
// concurrent use. IDs are opaque strings, stable for a given folder, so
// URLs can be shared.
type Source interface {
	// Overview returns the runs, the runs × data types counts and the
	// study's claims when there are any.
	Overview(ctx context.Context) (*Overview, error)
	// Requests returns one page of the requests matching q, in run and
	// capture order.
	Requests(ctx context.Context, q Query) (*RequestPage, error)
	// Request returns one request with its payload and findings; ErrNotFound
	// when there is no such request.
	Request(ctx context.Context, id string) (*RequestDetail, error)
	// FindingRequest returns the ID of the request holding a finding; run
	// names the finding's run (finding IDs are unique per run in a corpus).
	FindingRequest(ctx context.Context, run, findingID string) (string, error)
	// Gaps returns the policy gaps (none when no policy was applied).
	Gaps(ctx context.Context) ([]report.Gap, error)
	MiniPrograms(ctx context.Context) ([]report.MiniProgram, error)
	Locations(ctx context.Context) ([]report.Location, error)
	// Search finds text in decoded string values, endpoints and finding
	// values; substrings match, Chinese included.
	Search(ctx context.Context, q string, limit int) (*SearchResult, error)
	// Diff compares two runs.
	Diff(ctx context.Context, runA, runB string) (*report.DiffResult, error)
	// Identifying returns a report holding the findings whose values the
	// redaction must learn (at least every finding of an identifying type;
	// only data type, value, rule and coordinates need be set).
	Identifying(ctx context.Context) (*report.Report, error)
}

// ErrNotFound is returned for an unknown request, finding or run.
var ErrNotFound = errors.New("serve: not found")

// Overview is the front page's data.
type Overview struct {
	Title  string
	Runs   []report.Run
	Claims []report.Claim
	// DataTypes are the columns of Counts, in taxonomy order.
	DataTypes []string
	// Counts[run][data type] is the number of findings.
	Counts map[string]map[string]int
	// Policy names the policy model compared against, when one was.
	Policy string
	Gaps   int
}

// Query selects requests. The zero Query is the first page of all.
type Query struct {
	Where  *filter.Expr
	Offset int
	Limit  int // 0: DefaultLimit; capped at MaxLimit
	// Sort orders the list by one of SortKeys, descending with a leading
	// "-"; "" is run and capture order, which also breaks ties.
	Sort string
}

// Page sizes of request lists.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Request is one row of the request list.
type Request struct {
	ID          string   `json:"id"`
	Run         string   `json:"run"`
	Seq         int      `json:"seq"`
	Time        string   `json:"time,omitempty"`
	Feature     string   `json:"feature"`
	Recipient   string   `json:"recipient"`
	URI         string   `json:"uri,omitempty"`
	ReqType     int      `json:"req_type,omitempty"`
	Size        int      `json:"size"`
	Permissions string   `json:"permissions,omitempty"`
	DataTypes   []string `json:"data_types,omitempty"`
	AppIDs      []string `json:"appids,omitempty"`
}

// Endpoint is the request's API path, or "req N" for a request type
// without a known path.
func (r *Request) Endpoint() string {
	if r.URI != "" {
		return r.URI
	}
	if r.ReqType != 0 {
		return "req " + itoa(r.ReqType)
	}
	return ""
}

// RequestPage is one page of a request list.
type RequestPage struct {
	Requests []Request `json:"requests"`
	Offset   int       `json:"offset"`
	Limit    int       `json:"limit"`
	// Total is the number of matching requests.
	Total int `json:"total"`
}

// RequestDetail is one request with what the request view shows.
type RequestDetail struct {
	Request
	// Payload is the plaintext the request carried; nil when the source has
	// no payloads (a report written without them).
	Payload  []byte           `json:"-"`
	Findings []report.Finding `json:"findings"`
	// Prev and Next are the neighbouring requests of the same run ("" at
	// the ends).
	Prev string `json:"prev,omitempty"`
	Next string `json:"next,omitempty"`
}

// SearchResult is the answer to a search.
type SearchResult struct {
	Query string `json:"query"`
	Hits  []Hit  `json:"hits"`
	// More is set when hits beyond the limit were left out.
	More bool `json:"more,omitempty"`
}

// Hit is one matching value.
type Hit struct {
	Request string `json:"request"`
	Run     string `json:"run"`
	URI     string `json:"uri,omitempty"`
	// Path is the field path in the decoded tree ("" for the endpoint).
	Path string `json:"path,omitempty"`
	Name string `json:"name,omitempty"`
	// Text is the matching value (redacted unless revealed).
	Text string `json:"text"`
	// Where says what matched: "value", "endpoint" or "finding".
	Where string `json:"where"`
}
