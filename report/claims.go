package report

// Claim verdicts. A claim the data cannot decide is NotTestable, and its Why
// says what input is missing: a report never states more than it shows.
const (
	Supported    = "supported"
	Contradicted = "contradicted"
	NotTestable  = "not_testable"
)

// Claim is one of the study's answers, stated in a sentence a reader can
// quote, with its verdict, the numbers behind it and the findings that
// show it. Its JSON form is one element of claims.json.
type Claim struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Verdict   string `json:"verdict"`
	Statement string `json:"statement"`
	// Why explains the verdict: the rule applied, or for not_testable
	// what the inputs lack.
	Why     string         `json:"why"`
	Numbers map[string]any `json:"numbers"`
	// Evidence lists finding IDs of findings.jsonl, a sample chosen to
	// show each part of the claim (not every finding).
	Evidence []string `json:"evidence"`
}

// ClaimsFile is the name of claims.json in a report directory.
const ClaimsFile = "claims.json"

// claimsDoc is the shape of claims.json.
type claimsDoc struct {
	Claims []Claim `json:"claims"`
}
