package report

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Values planted for TestRedactionEncodings.
const (
	momentsText = "Sunset from the office"
	searchText  = "cheap flights 北京 & more"
	uinValue    = "3000000000" // int32 reading -1294967296
	deviceValue = "A1b2c3d4e5f6a7b8"
	blobHex     = "d18fedfb0f29d356ccaa68c6246675c07fe0e20e748ff4a3df87fafc1af40cb6"
)

// encodedForms is every form a value may travel in, as a test spells
// them (independently of forms in redact.go).
func encodedForms(v string) map[string]string {
	b := []byte(v)
	return map[string]string{
		"plain": v, "query": url.QueryEscape(v), "path": url.PathEscape(v),
		"base64": base64.StdEncoding.EncodeToString(b), "base64url": base64.RawURLEncoding.EncodeToString(b),
		"hex": hex.EncodeToString(b), "HEX": strings.ToUpper(hex.EncodeToString(b)),
		"json-ascii": strings.Trim(strconv.QuoteToASCII(v), `"`),
	}
}

func encodingsReport() *Report {
	r := sampleReport()
	add := func(id, dt, value string) {
		r.Findings = append(r.Findings, Finding{ID: id, DataType: dt, Confidence: "high", Feature: "moments", Recipient: "wechat",
			Run: "off", Request: 1, Evidence: Evidence{FieldPath: "2.1", Value: value, Rule: "detector:test", Reason: "planted"}})
	}
	add("m1", "moments_content", momentsText)
	add("s1", "search_query", searchText)
	add("u1", "account_id", uinValue)
	add("d1", "device_id", deviceValue)
	add("o1", "opaque_encrypted_blob", blobHex[:32]+"…") // classify shows an excerpt
	// The values travel elsewhere, encoded: in a request path, in another
	// finding's context and in claims and gaps text.
	var ctx []string
	for _, v := range []string{searchText, uinValue, deviceValue, momentsText} {
		for name, f := range encodedForms(v) {
			ctx = append(ctx, name+"="+f)
		}
	}
	ctx = append(ctx, "uin=-1294967296", "uinhex=0xb2d05e00", "uinHEX=B2D05E00", "key="+blobHex, `{"q":"`+strings.Trim(strconv.QuoteToASCII(searchText), `"`)+`"}`)
	add("c1", "usage_statistics", "report")
	r.Findings[len(r.Findings)-1].Evidence.Context = strings.Join(ctx, "&")
	r.Requests[1].URI = "/cgi-bin/mmsearch?q=" + url.QueryEscape(searchText) + "&uin=" + uinValue + "&d=" + base64.StdEncoding.EncodeToString([]byte(deviceValue))
	r.Claims = []Claim{{ID: "c", Verdict: Supported, Title: "t", Numbers: map[string]any{},
		Statement: "WeChat sent the text from the Moments post and " + searchText + " from the search box",
		Why:       "seen in requests from run off", Next: "compare from a second phone", Exceptions: []string{"the uin " + uinValue + " from the header"}}}
	r.Policy.Gaps = append(r.Policy.Gaps, Gap{Kind: "omitted", DataType: "moments_content", Run: "off",
		Statement: "During moments, WeChat sent moments content (" + momentsText + ") omitted from the policy"})
	return r
}

// TestRedactionEncodings: a shareable file holds no identifying value in
// any encoding it travels in, no key material, and keeps every ordinary
// word: "from" in a Moments text does not make every "from" a pseudonym.
func TestRedactionEncodings(t *testing.T) {
	dir := t.TempDir()
	r := encodingsReport()
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range shareable {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, v := range []string{momentsText, searchText, uinValue, deviceValue} {
			for enc, f := range encodedForms(v) {
				if strings.Contains(s, f) {
					t.Errorf("%s shows %q %s-encoded: %q", name, v, enc, f)
				}
			}
		}
		for _, bad := range []string{"-1294967296", blobHex[:32], "北京", "b2d05e00", "B2D05E00"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s shows %q", name, bad)
			}
		}
	}
	for _, name := range []string{ClaimsFile, MarkdownFile, GapsFile} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		s := string(b)
		for _, word := range []string{"from the search box", "omitted from the policy", "compare from a second phone", "seen in requests from run off"} {
			if (name == ClaimsFile || name == MarkdownFile) && strings.Contains(word, "policy") {
				continue
			}
			if name == GapsFile && !strings.Contains(word, "policy") {
				continue
			}
			if !strings.Contains(s, word) {
				t.Errorf("%s lost the ordinary words %q", name, word)
			}
		}
	}
	// findings.jsonl and requests.jsonl are secret: they keep the values.
	fj, _ := os.ReadFile(filepath.Join(dir, FindingsFile))
	if !strings.Contains(string(fj), momentsText) {
		t.Error("findings.jsonl lost the value")
	}
}

// TestWholeTokens: a value is replaced where it is a whole token, never
// inside a longer word or number.
func TestWholeTokens(t *testing.T) {
	r := &Report{Findings: []Finding{
		{DataType: "device_id", Evidence: Evidence{Value: "abcd1234"}},
		{DataType: "ip_address", Evidence: Evidence{Value: "10.0.0.5"}},
		{DataType: "profile_name", Evidence: Evidence{Value: "Wang Office"}},
		{DataType: "search_query", Evidence: Evidence{Value: "咖啡"}},
	}}
	rd := NewRedactor(r, []byte("k"))
	dev, ip := rd.Text("abcd1234"), rd.Text("10.0.0.5")
	tests := []struct{ in, want string }{
		{"id=abcd1234&x", "id=" + dev + "&x"},
		{"xabcd1234", "xabcd1234"},
		{"abcd12345", "abcd12345"},
		{"host 10.0.0.5:80", "host " + ip + ":80"},
		{"host 10.0.0.55", "host 10.0.0.55"},
		{"the Office and Wang", "the Office and Wang"}, // parts of a name are words
		{"我想喝咖啡了", "我想喝" + rd.Text("咖啡") + "了"},
	}
	for _, tt := range tests {
		if got := rd.Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if dev == "abcd1234" || !strings.HasPrefix(rd.Text("咖啡"), "[search_query ") {
		t.Errorf("values not replaced: %q %q", dev, rd.Text("咖啡"))
	}
}

// TestSmallNumbersKeepOtherForms: a uin of 0 (logged out) does not make
// every 00000000 or 4294967295 a pseudonym; a real uin's forms are hidden.
func TestSmallNumbersKeepOtherForms(t *testing.T) {
	r := &Report{Findings: []Finding{
		{DataType: "account_id", Evidence: Evidence{Value: "0"}},
		{DataType: "account_id", Evidence: Evidence{Value: "-1"}},
		{DataType: "account_id", Evidence: Evidence{Value: uinValue}},
	}}
	rd := NewRedactor(r, []byte("k"))
	for _, keep := range []string{"crc 00000000 ok", "max 4294967295", "ffffffff"} {
		if got := rd.Text(keep); got != keep {
			t.Errorf("Text(%q) = %q", keep, got)
		}
	}
	for _, hide := range []string{"-1294967296", "0xb2d05e00", "b2d05e00"} {
		if got := rd.Text("x " + hide); strings.Contains(got, hide) {
			t.Errorf("Text(%q) = %q", hide, got)
		}
	}
}
