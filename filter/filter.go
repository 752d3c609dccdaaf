// Package filter parses the request filter expressions that `wxaudit
// requests --where` and the web UI's request list share, and matches them
// against requests.
//
// # Grammar
//
//	expr  = term { term }            terms are ANDed
//	term  = [ "-" ] key op value     "-" negates the term
//	op    = "=" | "!=" | "~" | "<" | "<=" | ">" | ">="
//	value = word | "quoted string"   a comma inside a value means "any of"
//
// Keys: run, feature, endpoint (alias uri), data_type (alias type),
// recipient, permissions (alias perm), appid, req_type, time. "=" and "!="
// compare exactly (case-insensitively), "~" is a case-insensitive
// substring; "<", ">" and friends order times (RFC 3339, or a date or date
// and minute in UTC: 2024-10-01, 2024-10-01T09:30) and request types.
// A field that holds several values (data_type, appid) matches when any of
// them does.
//
//	feature=location data_type=location,coarse_location perm=off
//	endpoint~newreportkvcomm time>=2024-10-01T09:30 -recipient=wechat
package filter

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Key names one filterable field of a request.
type Key string

// The filterable fields.
const (
	KeyRun         Key = "run"
	KeyFeature     Key = "feature"
	KeyEndpoint    Key = "endpoint"
	KeyDataType    Key = "data_type"
	KeyRecipient   Key = "recipient"
	KeyPermissions Key = "permissions"
	KeyAppID       Key = "appid"
	KeyReqType     Key = "req_type"
	KeyTime        Key = "time"
)

var aliases = map[string]Key{
	"run": KeyRun, "feature": KeyFeature, "endpoint": KeyEndpoint, "uri": KeyEndpoint,
	"data_type": KeyDataType, "type": KeyDataType, "recipient": KeyRecipient,
	"permissions": KeyPermissions, "perm": KeyPermissions, "appid": KeyAppID,
	"req_type": KeyReqType, "time": KeyTime,
}

// Op is a comparison.
type Op string

// The comparisons.
const (
	OpEq       Op = "="
	OpNe       Op = "!="
	OpContains Op = "~"
	OpLt       Op = "<"
	OpLe       Op = "<="
	OpGt       Op = ">"
	OpGe       Op = ">="
)

// Term is one comparison; Values are alternatives (any may match).
type Term struct {
	Not    bool
	Key    Key
	Op     Op
	Values []string
	// times holds Values parsed as times for ordered time comparisons.
	times []time.Time
	// nums holds Values parsed as integers for ordered req_type comparisons.
	nums []int64
}

// Expr is a parsed expression: every term must match. The zero Expr
// matches everything.
type Expr struct {
	Terms []Term
}

// Limits keep a hostile expression (it arrives in a URL) cheap.
const (
	maxExprLen = 4096
	maxTerms   = 32
	maxValues  = 64
)

// Record is what an expression is matched against: one request.
type Record struct {
	Run, Feature, Endpoint, Recipient, Permissions string
	ReqType                                        int
	Time                                           time.Time // zero when unknown
	DataTypes, AppIDs                              []string
}

// ParseError is a malformed expression, with the byte offset of the problem.
type ParseError struct {
	Offset int
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("filter: at offset %d: %s", e.Offset, e.Msg)
}

// Parse parses an expression. The empty string gives the zero Expr.
func Parse(s string) (*Expr, error) {
	if len(s) > maxExprLen {
		return nil, &ParseError{maxExprLen, fmt.Sprintf("expression longer than %d bytes", maxExprLen)}
	}
	if !utf8.ValidString(s) {
		return nil, &ParseError{0, "expression is not UTF-8"}
	}
	e := &Expr{}
	p := 0
	for {
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		if p == len(s) {
			return e, nil
		}
		if len(e.Terms) == maxTerms {
			return nil, &ParseError{p, fmt.Sprintf("more than %d terms", maxTerms)}
		}
		t, n, err := parseTerm(s, p)
		if err != nil {
			return nil, err
		}
		e.Terms = append(e.Terms, t)
		p = n
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func parseTerm(s string, p int) (Term, int, error) {
	var t Term
	start := p
	if s[p] == '-' {
		t.Not = true
		p++
	}
	k := p
	for p < len(s) && (s[p] == '_' || s[p] >= 'a' && s[p] <= 'z' || s[p] >= 'A' && s[p] <= 'Z') {
		p++
	}
	name := strings.ToLower(s[k:p])
	key, ok := aliases[name]
	if !ok {
		if name == "" {
			return t, 0, &ParseError{start, "want a field name (run, feature, endpoint, data_type, recipient, permissions, appid, req_type, time)"}
		}
		return t, 0, &ParseError{k, fmt.Sprintf("unknown field %q (want run, feature, endpoint, data_type, recipient, permissions, appid, req_type, time)", name)}
	}
	t.Key = key
	switch {
	case strings.HasPrefix(s[p:], "!="):
		t.Op = OpNe
	case strings.HasPrefix(s[p:], "<="):
		t.Op = OpLe
	case strings.HasPrefix(s[p:], ">="):
		t.Op = OpGe
	case strings.HasPrefix(s[p:], "="):
		t.Op = OpEq
	case strings.HasPrefix(s[p:], "~"):
		t.Op = OpContains
	case strings.HasPrefix(s[p:], "<"):
		t.Op = OpLt
	case strings.HasPrefix(s[p:], ">"):
		t.Op = OpGt
	default:
		return t, 0, &ParseError{p, fmt.Sprintf("want an operator (= != ~ < <= > >=) after %q", name)}
	}
	p += len(t.Op)
	val, n, err := parseValue(s, p)
	if err != nil {
		return t, 0, err
	}
	for _, v := range strings.Split(val, ",") {
		if v = strings.TrimSpace(v); v != "" {
			t.Values = append(t.Values, v)
		}
	}
	if len(t.Values) == 0 {
		return t, 0, &ParseError{p, fmt.Sprintf("%s%s wants a value", name, t.Op)}
	}
	if len(t.Values) > maxValues {
		return t, 0, &ParseError{p, fmt.Sprintf("more than %d values", maxValues)}
	}
	if err := t.prepare(p); err != nil {
		return t, 0, err
	}
	return t, n, nil
}

func parseValue(s string, p int) (string, int, error) {
	if p < len(s) && s[p] == '"' {
		var b strings.Builder
		for i := p + 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '"':
				return b.String(), i + 1, nil
			default:
				b.WriteByte(s[i])
			}
		}
		return "", 0, &ParseError{p, "unterminated quoted value"}
	}
	q := p
	for q < len(s) && !isSpace(s[q]) {
		q++
	}
	return s[p:q], q, nil
}

// prepare checks the operator against the key and parses ordered values.
func (t *Term) prepare(off int) error {
	ordered := t.Op == OpLt || t.Op == OpLe || t.Op == OpGt || t.Op == OpGe
	switch {
	case t.Key == KeyTime:
		if !ordered {
			return &ParseError{off, "time takes < <= > >="}
		}
		for _, v := range t.Values {
			tm, err := ParseTime(v)
			if err != nil {
				return &ParseError{off, err.Error()}
			}
			t.times = append(t.times, tm)
		}
	case t.Key == KeyReqType && t.Op != OpContains:
		for _, v := range t.Values {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return &ParseError{off, fmt.Sprintf("req_type wants a number, not %q", v)}
			}
			t.nums = append(t.nums, n)
		}
	case ordered:
		return &ParseError{off, fmt.Sprintf("%s takes = != ~, not %s", t.Key, t.Op)}
	}
	return nil
}

// ParseTime reads an RFC 3339 time, or a UTC date (2006-01-02) or date and
// minute (2006-01-02T15:04).
func ParseTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if tm, err := time.Parse(layout, v); err == nil {
			return tm, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q (want RFC 3339, 2006-01-02 or 2006-01-02T15:04)", v)
}

// Match reports whether r satisfies every term.
func (e *Expr) Match(r *Record) bool {
	if e == nil {
		return true
	}
	for i := range e.Terms {
		if e.Terms[i].match(r) == e.Terms[i].Not {
			return false
		}
	}
	return true
}

func (t *Term) match(r *Record) bool {
	switch t.Key {
	case KeyTime:
		if r.Time.IsZero() {
			return false
		}
		for _, v := range t.times {
			if compare(r.Time.Compare(v), t.Op) {
				return true
			}
		}
		return false
	case KeyReqType:
		if t.Op == OpContains {
			return t.matchString(strconv.Itoa(r.ReqType))
		}
		if t.Op == OpNe {
			for _, n := range t.nums {
				if int64(r.ReqType) == n {
					return false
				}
			}
			return true
		}
		for _, n := range t.nums {
			c := 0
			switch {
			case int64(r.ReqType) < n:
				c = -1
			case int64(r.ReqType) > n:
				c = 1
			}
			if compare(c, t.Op) {
				return true
			}
		}
		return false
	case KeyDataType, KeyAppID:
		xs := r.DataTypes
		if t.Key == KeyAppID {
			xs = r.AppIDs
		}
		if t.Op == OpNe {
			// "!=" on a set: none of the values is present.
			for _, x := range xs {
				if t.any(x, OpEq) {
					return false
				}
			}
			return true
		}
		for _, x := range xs {
			if t.any(x, t.Op) {
				return true
			}
		}
		return false
	}
	return t.matchString(t.field(r))
}

func (t *Term) field(r *Record) string {
	switch t.Key {
	case KeyRun:
		return r.Run
	case KeyFeature:
		return r.Feature
	case KeyEndpoint:
		return r.Endpoint
	case KeyRecipient:
		return r.Recipient
	case KeyPermissions:
		return r.Permissions
	}
	return ""
}

func (t *Term) matchString(s string) bool {
	if t.Op == OpNe {
		return !t.any(s, OpEq)
	}
	return t.any(s, t.Op)
}

// any reports whether s matches one of the values under op (= or ~).
func (t *Term) any(s string, op Op) bool {
	for _, v := range t.Values {
		if op == OpContains && containsFold(s, v) || op == OpEq && strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func compare(c int, op Op) bool {
	switch op {
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	}
	return false
}

// String prints the expression in a form Parse reads back.
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	for i, t := range e.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t.Not {
			b.WriteByte('-')
		}
		b.WriteString(string(t.Key))
		b.WriteString(string(t.Op))
		v := strings.Join(t.Values, ",")
		if v == "" || strings.ContainsAny(v, " \t\r\n\"\\") {
			v = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
		}
		b.WriteString(v)
	}
	return b.String()
}

// And returns an expression with the terms of e and then o.
func (e *Expr) And(o *Expr) *Expr {
	out := &Expr{}
	if e != nil {
		out.Terms = append(out.Terms, e.Terms...)
	}
	if o != nil {
		out.Terms = append(out.Terms, o.Terms...)
	}
	return out
}
