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
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// identifying lists the data types whose values single out the researcher
// or hold what they wrote; their values are pseudonymised. An opaque blob
// may hold key material (the inner AES-GCM key travels in one): its value
// is never shown either.
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
	taxonomy.OpaqueEncryptedBlob: true,
}

// freeText lists the identifying types whose values are written words:
// such a value is replaced as a whole, never word by word, so a Moments
// text "Sunset from the office" does not turn every "from" of a report
// into a pseudonym.
var freeText = map[taxonomy.DataType]bool{
	taxonomy.MessageContent:      true,
	taxonomy.MomentsContent:      true,
	taxonomy.SearchQuery:         true,
	taxonomy.ProfileName:         true,
	taxonomy.ContactsSocialGraph: true,
	taxonomy.WiFi:                true,
}

// located lists the data types whose values are coordinates.
var located = map[taxonomy.DataType]bool{taxonomy.Location: true, taxonomy.CoarseLocation: true}

// coarseDigits keeps two decimals of a degree: 0.01° is 1.1 km of latitude.
const coarseDigits = 2

// minScrubLen is the shortest value searched for inside other text: shorter
// ones (a 3-digit number) would replace unrelated text.
const minScrubLen = 4

// minPartLen is the shortest part of a composite value searched for alone
// when it has no digit: a shorter all-letter part is likely a word.
const minPartLen = 12

// Redactor pseudonymises the researcher's identifiers in rendered text.
//
// A value is found by value, in every form it travels in (see forms): as
// sent, percent-encoded, base64, hex, JSON-escaped, and a uin in its
// 32-bit integer readings. It is replaced only where it is a whole token:
// the text does not go on, before or after it, with a character of the
// same class (letter, digit) as the value's own edge.
type Redactor struct {
	// reveal keeps every value but canaries (analyze --reveal).
	reveal bool
	key    []byte
	pseudo map[string]string // value, and each of its forms → pseudonym
	plain  map[string]bool   // the values as found (not their encoded forms)
	index  map[[minScrubLen]byte][]match
}

// match is one form to look for in text.
type match struct {
	text   string
	pseudo string
	// prefix is set for a value cut short ("abc…"): the text's token
	// that starts with it is replaced whole.
	prefix bool
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
	return &Redactor{key: key, pseudo: map[string]string{}, plain: map[string]bool{}, reveal: reveal}
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
	if (identifying[dt] || located[dt] || isCanary(f)) && !freeText[dt] {
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
	rd.plain[value] = true
	for _, form := range forms(value) {
		if _, ok := rd.pseudo[form]; !ok {
			rd.pseudo[form] = pseudonym
		}
	}
}

// forms returns value in each encoding it may travel in: as is,
// percent-encoded (query and path style, either case of hex digits),
// base64 (standard and URL alphabets, padded or not), hex (either case),
// inside a JSON string (HTML-escaped or not, non-ASCII escaped or not),
// and, for a uin, its two's-complement and unsigned 32-bit readings and
// its hex (bare, zero-padded, 0x-prefixed) in each of those forms.
func forms(value string) []string {
	vals := []string{value}
	// Small numbers (a uin of 0 when logged out, -1) are left alone: their
	// other readings (00000000, 4294967295) are common in unrelated text.
	if n, err := strconv.ParseInt(value, 10, 64); err == nil && n >= math.MinInt32 && n <= math.MaxUint32 &&
		(n >= 1<<16 || n <= -(1<<16)) {
		u := uint32(n)
		for _, alt := range []string{strconv.FormatInt(int64(int32(u)), 10), strconv.FormatUint(uint64(u), 10),
			fmt.Sprintf("%x", u), fmt.Sprintf("%X", u), fmt.Sprintf("%08x", u), fmt.Sprintf("0x%x", u), fmt.Sprintf("0x%X", u)} {
			if alt != value {
				vals = append(vals, alt)
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	put := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, v := range vals {
		put(v)
		for _, e := range []string{url.QueryEscape(v), url.PathEscape(v)} {
			put(e)
			put(lowerPercentHex(e))
		}
		b := []byte(v)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			put(enc.EncodeToString(b))
		}
		put(hex.EncodeToString(b))
		put(strings.ToUpper(hex.EncodeToString(b)))
		for _, html := range []bool{false, true} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(html)
			if enc.Encode(v) == nil {
				q := strings.TrimSuffix(buf.String(), "\n")
				put(q[1 : len(q)-1])
			}
		}
		if q := strconv.QuoteToASCII(v); !utf8.ValidString(v) || q != strconv.Quote(v) {
			put(q[1 : len(q)-1]) // \uXXXX, as JSON writers that escape non-ASCII do
		}
	}
	return out
}

// lowerPercentHex writes the hex digits of %XX escapes in lower case.
func lowerPercentHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHex(b[i+1]), lowerHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// valueParts splits a composite evidence value into the parts that may
// appear alone: comma-, space- or "="-separated tokens that look like an
// identifier (a digit, or long), not like a word.
func valueParts(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '=' || r == ';' || r == '&' }) {
		if len(p) >= minScrubLen && p != v && (strings.ContainsAny(p, "0123456789") || len(p) >= minPartLen) {
			out = append(out, p)
		}
	}
	return out
}

// build makes the index Text looks values up in: every form by its first
// bytes, longest first so that a value inside a longer one does not break
// the longer one's replacement.
func (rd *Redactor) build() {
	rd.index = map[[minScrubLen]byte][]match{}
	put := func(m match) {
		if len(m.text) < minScrubLen {
			return
		}
		var k [minScrubLen]byte
		copy(k[:], m.text)
		rd.index[k] = append(rd.index[k], m)
	}
	for v, p := range rd.pseudo {
		put(match{text: v, pseudo: p})
		if cut, ok := strings.CutSuffix(v, "…"); ok { // an excerpt
			put(match{text: cut, pseudo: p, prefix: true})
		}
	}
	for k, ms := range rd.index {
		sort.Slice(ms, func(i, j int) bool {
			if len(ms[i].text) != len(ms[j].text) {
				return len(ms[i].text) > len(ms[j].text)
			}
			return ms[i].text < ms[j].text
		})
		rd.index[k] = ms
	}
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
	for v := range rd.plain {
		p := rd.pseudo[v]
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

// Text replaces every identifying value inside s by its pseudonym, where
// it is a whole token (see Redactor).
func (rd *Redactor) Text(s string) string {
	if len(rd.index) == 0 || len(s) < minScrubLen {
		return s
	}
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i+minScrubLen <= len(s); {
		if !tokenEdge(s, i) {
			i++
			continue
		}
		var k [minScrubLen]byte
		copy(k[:], s[i:])
		end := -1
		var pseudo string
		for _, m := range rd.index[k] {
			if !strings.HasPrefix(s[i:], m.text) {
				continue
			}
			e := i + len(m.text)
			if m.prefix {
				for e < len(s) && isAlnum(s[e]) {
					e++
				}
			} else if !tokenEdge(s, e) {
				continue
			}
			end, pseudo = e, m.pseudo
			break
		}
		if end < 0 {
			i++
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		b.WriteString(pseudo)
		done, i = end, end
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// tokenEdge reports whether a token may start or end at byte i of s: not
// inside a UTF-8 sequence, and the characters either side are not of one
// class (two letters, or two digits). Letters of scripts written without
// spaces (Han, kana, Hangul) are edges everywhere.
func tokenEdge(s string, i int) bool {
	if i <= 0 || i >= len(s) {
		return true
	}
	if !utf8.RuneStart(s[i]) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i:])
	cb, ca := charClass(before), charClass(after)
	return cb == 0 || cb != ca
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// charClass is 1 for a letter, 2 for a digit, 0 for anything else
// (punctuation, space, a letter of a script without spaces).
func charClass(r rune) int {
	switch {
	case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
		return 1
	case r >= '0' && r <= '9':
		return 2
	case r < utf8.RuneSelf:
		return 0
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return 0
	case unicode.IsLetter(r):
		return 1
	case unicode.IsDigit(r):
		return 2
	}
	return 0
}

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
	f.MPSession = rd.Text(f.MPSession) // "hash=<uin>&ts=…": the uin
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
