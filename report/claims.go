package report

// Claim verdicts. A claim the data cannot decide is NotTestable, and its Why
// says what input is missing: a report never states more than it shows.
const (
	Supported    = "supported"
	Contradicted = "contradicted"
	NotTestable  = "not_testable"
)

// Claim sources: a finding of the study the claim tests, or a question
// wxaudit adds of its own.
const (
	SourceStudy   = "study"
	SourceWxaudit = "wxaudit"
)

// StudyTitle and StudyURL name the study whose findings the claims test.
const (
	StudyTitle = `Citizen Lab, "Should We Chat? Privacy in the WeChat Ecosystem" (2023)`
	StudyURL   = "https://citizenlab.ca/2023/06/privacy-in-the-wechat-ecosystem-full-report/"
)

// Claim is one of the study's answers, stated in a sentence a reader can
// quote, with its verdict, the numbers behind it and the findings that
// show it. Its JSON form is one element of claims.json. doc/claims.md
// defines each claim, each number's unit and each verdict's rule.
type Claim struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Source is SourceStudy for a finding of the study, SourceWxaudit for
	// a question of the tool's own.
	Source string `json:"source"`
	// StudySentence is the study's own sentence the claim tests (study
	// claims only).
	StudySentence string `json:"study_sentence,omitempty"`
	Verdict       string `json:"verdict"`
	// Concern is whether the verdict, as worded in Statement, is bad news
	// for privacy: the report colours by it, never by the verdict.
	Concern   bool   `json:"concern"`
	Statement string `json:"statement"`
	// Why explains the verdict: the rule applied, or for not_testable
	// what the inputs lack.
	Why string `json:"why"`
	// Exceptions lists what goes the other way, whatever the verdict.
	Exceptions []string `json:"exceptions"`
	// Next says which run to capture next to test the claim (or test it
	// better); set at least for not_testable.
	Next    string         `json:"next,omitempty"`
	Numbers map[string]any `json:"numbers"`
	// Evidence lists finding IDs of findings.jsonl, a sample chosen to
	// show each part of the claim (not every finding).
	Evidence []string `json:"evidence"`
}

// Tone is how the report presents c: "concern", "reassuring" (the
// claim decided, and not as a problem) or "not_testable".
func (c Claim) Tone() string {
	switch {
	case c.Verdict == NotTestable:
		return NotTestable
	case c.Concern:
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
