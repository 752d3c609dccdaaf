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
	// ConcernIf is the verdict that shows a privacy problem. Most claims
	// state a problem, so it is supported (also when empty, as in
	// reports written before the field), but for a claim worded as a
	// reassurance ("core features send what they need") it is
	// contradicted. A reader should not have to work that out.
	ConcernIf string `json:"concern_if,omitempty"`
}

// Concern reports that c's verdict shows a privacy problem.
func (c Claim) Concern() bool {
	want := c.ConcernIf
	if want == "" {
		want = Supported
	}
	return c.Verdict == want
}

// Tone is how the report presents c: "concern", "reassuring" (the
// claim decided, and not as a problem) or "not_testable".
func (c Claim) Tone() string {
	switch {
	case c.Verdict == NotTestable:
		return NotTestable
	case c.Concern():
		return "concern"
	}
	return "reassuring"
}

// ClaimsFile is the name of claims.json in a report directory.
const ClaimsFile = "claims.json"

// claimsDoc is the shape of claims.json.
type claimsDoc struct {
	Claims []Claim `json:"claims"`
}
