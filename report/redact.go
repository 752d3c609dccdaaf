package report

// Redaction: the report files a researcher shares (report.html, report.md,
// claims.json, gaps.jsonl, summary.json) must not reveal the researcher's
// own account, device, tokens, names, numbers, addresses or messages. Each
// such value is replaced by a pseudonym, a keyed hash (HMAC-SHA-256) of the
// value: the same value gets the same pseudonym within a report, so a
// reader can still see that two requests carry the same device id, but
// cannot test a guess without the key. Coordinates are coarsened to about
// 1 km. findings.jsonl and requests.jsonl keep the values for local work.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// identifying lists the data types whose values single out the researcher
// or hold what they wrote; their values are pseudonymised.
var identifying = map[taxonomy.DataType]bool{
	taxonomy.AccountID:           true,
	taxonomy.DeviceID:            true,
	taxonomy.SessionToken:        true,
	taxonomy.PushToken:           true,
	taxonomy.ProfileName:         true,
	taxonomy.PhoneNumber:         true,
	taxonomy.Email:               true,
	taxonomy.IPAddress:           true,
	taxonomy.MessageContent:      true,
	taxonomy.MomentsContent:      true,
	taxonomy.ContactsSocialGraph: true,
	taxonomy.ThirdPartyUserID:    true,
	taxonomy.WiFi:                true,
	taxonomy.SearchQuery:         true,
}

// located lists the data types whose values are coordinates.
var located = map[taxonomy.DataType]bool{taxonomy.Location: true, taxonomy.CoarseLocation: true}

// coarseDigits keeps two decimals of a degree: 0.01° is 1.1 km of latitude.
const coarseDigits = 2

// minScrubLen is the shortest value searched for inside other text: shorter
// ones (a 3-digit number) would replace unrelated text.
const minScrubLen = 4

// Redactor pseudonymises the researcher's identifiers in rendered text.
type Redactor struct {
	// reveal keeps every value but canaries (analyze --reveal).
	reveal   bool
	key      []byte
	pseudo   map[string]string // value → pseudonym
	replacer *strings.Replacer
}

// NewRedactor learns the identifying values of r's findings. A nil key
// draws a random one: pseudonyms are then consistent within one report but
// not across reports.
func NewRedactor(r *Report, key []byte) *Redactor {
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
	}
	return newRedactor(r, key, false)
}

// NewRevealer is the Redactor of analyze --reveal: it shows every value but
// the canaries, which are never printed.
func NewRevealer(r *Report) *Redactor { return newRedactor(r, nil, true) }

func newRedactor(r *Report, key []byte, reveal bool) *Redactor {
	rd := newLearner(key, reveal)
	for i := range r.Findings {
		rd.learn(&r.Findings[i])
	}
	rd.build()
	return rd
}

// newLearner returns a Redactor that learns values with learn; build makes
// it ready to use.
func newLearner(key []byte, reveal bool) *Redactor {
	return &Redactor{key: key, pseudo: map[string]string{}, reveal: reveal}
}

// learn adds the values of one finding that must not be shown. Findings are
// learnt in report order: the first data type a value is found as names
// its pseudonym.
func (rd *Redactor) learn(f *Finding) {
	dt := taxonomy.DataType(f.DataType)
	switch {
	case isCanary(f):
		rd.add(f.Evidence.Value, "[canary "+strings.TrimPrefix(f.Evidence.Rule, "canary:")+"]")
	case rd.reveal:
		return
	case identifying[dt]:
		rd.add(f.Evidence.Value, rd.pseudonym(f.DataType, f.Evidence.Value))
	case located[dt]:
		rd.add(f.Evidence.Value, coarseText(f))
	}
	if identifying[dt] || located[dt] || isCanary(f) {
		// The parts of a composite value (a coordinate pair, a number
		// that a detector reformatted) appear alone elsewhere.
		for _, part := range valueParts(f.Evidence.Value) {
			if _, ok := rd.pseudo[part]; !ok {
				rd.add(part, rd.pseudonym(f.DataType, part))
			}
		}
	}
}

func isCanary(f *Finding) bool { return strings.HasPrefix(f.Evidence.Rule, "canary:") }

func (rd *Redactor) pseudonym(dataType, value string) string {
	m := hmac.New(sha256.New, rd.key)
	m.Write([]byte(value))
	h := base32.StdEncoding.EncodeToString(m.Sum(nil))
	return "[" + dataType + " " + strings.ToLower(h[:8]) + "]"
}

func (rd *Redactor) add(value, pseudonym string) {
	value = strings.TrimRight(value, "\x00")
	if strings.TrimSpace(value) == "" {
		return
	}
	if _, ok := rd.pseudo[value]; !ok {
		rd.pseudo[value] = pseudonym
	}
	// A uin is also written as its two's-complement or unsigned 32-bit
	// reading; both forms are the same account.
	if n, err := strconv.ParseInt(value, 10, 64); err == nil && n >= math.MinInt32 && n <= math.MaxUint32 {
		for _, alt := range []string{strconv.FormatInt(int64(int32(uint32(n))), 10), strconv.FormatUint(uint64(uint32(n)), 10)} {
			if _, ok := rd.pseudo[alt]; !ok && alt != value {
				rd.pseudo[alt] = pseudonym
			}
		}
	}
}

// valueParts splits a composite evidence value into the parts that may
// appear alone: comma-, space- or "="-separated tokens.
func valueParts(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '=' || r == ';' || r == '&' }) {
		if len(p) >= minScrubLen && p != v {
			out = append(out, p)
		}
	}
	return out
}

// build makes the replacer, longest values first so that a value inside a
// longer one does not break the longer one's replacement.
func (rd *Redactor) build() {
	vals := make([]string, 0, len(rd.pseudo))
	for v := range rd.pseudo {
		if len(v) >= minScrubLen {
			vals = append(vals, v)
		}
	}
	sort.Slice(vals, func(i, j int) bool {
		if len(vals[i]) != len(vals[j]) {
			return len(vals[i]) > len(vals[j])
		}
		return vals[i] < vals[j]
	})
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, rd.pseudo[v])
	}
	rd.replacer = strings.NewReplacer(pairs...)
}

// Value returns what to show for a finding's value.
func (rd *Redactor) Value(f *Finding) string {
	if isCanary(f) {
		return rd.pseudo[strings.TrimRight(f.Evidence.Value, "\x00")]
	}
	if located[taxonomy.DataType(f.DataType)] && !rd.reveal {
		return coarseText(f)
	}
	if p, ok := rd.pseudo[strings.TrimRight(f.Evidence.Value, "\x00")]; ok {
		return p
	}
	return rd.Text(f.Evidence.Value)
}

// ValuesShownAs returns up to max values whose pseudonym contains q
// (lower case): what a search for part of a pseudonym must look for in
// the raw data. Canaries are never returned.
func (rd *Redactor) ValuesShownAs(q string, max int) []string {
	if q == "" || max <= 0 {
		return nil
	}
	var out []string
	for v, p := range rd.pseudo {
		if strings.HasPrefix(p, "[canary") || !strings.Contains(strings.ToLower(p), q) {
			continue
		}
		out = append(out, v)
	}
	sort.Strings(out) // the same hits on every call
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// Text replaces every identifying value inside s by its pseudonym.
func (rd *Redactor) Text(s string) string { return rd.replacer.Replace(s) }

// path shows an input's file name without its folders, which may name the
// researcher (a home directory); --reveal keeps the whole path.
func (rd *Redactor) path(p string) string {
	if !rd.reveal {
		if i := strings.LastIndexAny(p, `/\`); i >= 0 {
			p = p[i+1:]
		}
	}
	return rd.Text(p)
}

// Coord coarsens a coordinate to about 1 km.
func Coord(x float64) float64 {
	p := math.Pow10(coarseDigits)
	return math.Round(x*p) / p
}

func coarseText(f *Finding) string {
	if f.Coord == nil {
		return "[" + f.DataType + " coarsened]"
	}
	return fmt.Sprintf("[%s ≈ %.*f, %.*f]", f.DataType, coarseDigits, Coord(f.Coord.Lat), coarseDigits, Coord(f.Coord.Lon))
}

// Redacted returns a copy of r for sharing: finding values pseudonymised
// or coarsened, every other string scrubbed of identifying values,
// coordinates coarsened. r is not changed.
func (r *Report) Redacted(rd *Redactor) *Report {
	out := *r
	out.redacted = !rd.reveal
	out.Runs = make([]Run, len(r.Runs))
	for i, run := range r.Runs {
		out.Runs[i] = rd.run(run)
	}
	out.Requests = make([]Request, len(r.Requests))
	for i, q := range r.Requests {
		out.Requests[i] = rd.request(q)
	}
	out.Findings = make([]Finding, len(r.Findings))
	for i := range r.Findings {
		out.Findings[i] = rd.finding(r.Findings[i])
	}
	out.Errors = make([]string, len(r.Errors))
	for i, e := range r.Errors {
		out.Errors[i] = rd.Text(e)
	}
	if r.Policy != nil {
		p := *r.Policy
		p.Gaps = make([]Gap, len(r.Policy.Gaps))
		for i, g := range r.Policy.Gaps {
			g.Statement = rd.Text(g.Statement)
			g.Run = rd.Text(g.Run)
			p.Gaps[i] = g
		}
		out.Policy = &p
	}
	out.Claims = make([]Claim, len(r.Claims))
	for i, c := range r.Claims {
		c.Statement = rd.Text(c.Statement)
		c.Why = rd.Text(c.Why)
		c.Next = rd.Text(c.Next)
		c.Exceptions = make([]string, len(r.Claims[i].Exceptions))
		for j, x := range r.Claims[i].Exceptions {
			c.Exceptions[j] = rd.Text(x)
		}
		out.Claims[i] = c
	}
	return &out
}

func (rd *Redactor) run(run Run) Run {
	run.Label = rd.Text(run.Label)
	run.Source = rd.path(run.Source)
	run.Extends = rd.Text(run.Extends)
	if run.Decryption != nil {
		d := *run.Decryption
		d.Error = rd.Text(d.Error)
		run.Decryption = &d
	}
	return run
}

func (rd *Redactor) request(q Request) Request {
	q.Run = rd.Text(q.Run)
	q.URI = rd.Text(q.URI)
	q.Source = rd.path(q.Source)
	q.FeatureReason = rd.Text(q.FeatureReason)
	q.Payload = nil // decrypted data: never in a shared file
	return q
}

func (rd *Redactor) finding(f Finding) Finding {
	f.Evidence.Value = rd.Value(&f)
	f.Evidence.FieldPath = rd.Text(f.Evidence.FieldPath)
	f.Evidence.Reason = rd.Text(f.Evidence.Reason)
	f.Evidence.Context = rd.Text(f.Evidence.Context)
	f.Run = rd.Text(f.Run)
	f.URI = rd.Text(f.URI)
	f.Source.File = rd.path(f.Source.File)
	if f.Coord != nil && !rd.reveal {
		c := *f.Coord
		// The coordinates are coarsened; the precision stays the one the
		// value was sent at, which is what a reader needs to know (the
		// redaction grid is stated beside it, never in its place).
		c.Lat, c.Lon = Coord(c.Lat), Coord(c.Lon)
		f.Coord = &c
	}
	return f
}
