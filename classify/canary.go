package classify

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// Canary is a value the researcher knows is theirs (their phone number,
// device id, home coordinates, SSID…). The classifier searches every leaf
// for it in every common encoding; a hit is a high-confidence finding of
// Type, because the value is known, not guessed.
type Canary struct {
	Name  string            `yaml:"name" json:"name"`   // label shown in findings; defaults to Type
	Type  taxonomy.DataType `yaml:"type" json:"type"`   // data type reported on a match
	Value string            `yaml:"value" json:"value"` // the value; for location "lat,lon"
}

// ParseCanaries reads a canaries file: YAML `canaries: [{name, type, value}]`.
func ParseCanaries(b []byte) ([]Canary, error) {
	var doc struct {
		Canaries []Canary `yaml:"canaries"`
	}
	if err := strictYAML(b, &doc); err != nil {
		return nil, fmt.Errorf("classify: canaries: %w", err)
	}
	for i, c := range doc.Canaries {
		if !taxonomy.Known(c.Type) {
			return nil, fmt.Errorf("classify: canary %d: unknown type %q", i+1, c.Type)
		}
		if len(strings.TrimSpace(c.Value)) < 3 {
			return nil, fmt.Errorf("classify: canary %d (%s): value shorter than 3 characters would match by chance", i+1, c.Type)
		}
		if c.Name == "" {
			doc.Canaries[i].Name = string(c.Type)
		}
	}
	return doc.Canaries, nil
}

// needle is one encoding of a canary.
type needle struct {
	text     string // substring to look for in text (case-folded when fold)
	fold     bool
	encoding string
}

// compiledCanary holds the precomputed encodings of one canary.
type compiledCanary struct {
	Canary
	needles []needle
	ints    map[uint64]string // varint/fixed values → encoding name
	coord   *[2]float64       // lat, lon for location canaries
}

// compileCanary precomputes every encoding of c: plain, case variants, hex,
// base64 (standard and URL, padded or not), URL-encoding, MD5/SHA-1/SHA-256
// hex of the value (and of its lower-case and digits-only forms), numbers
// as varint/fixed in both byte orders, and coordinates as floats,
// decimals and micro-degrees.
func compileCanary(c Canary) compiledCanary {
	cc := compiledCanary{Canary: c, ints: map[uint64]string{}}
	v := strings.TrimSpace(c.Value)
	forms := []string{v}
	if d := digitsOnly(v); d != v && len(d) >= 6 {
		forms = append(forms, d)
		// A phone number is also sent without its country code.
		if strings.HasPrefix(v, "+") && len(d) > 10 {
			forms = append(forms, d[len(d)-10:])
		}
	}
	if n := strings.ToLower(strings.ReplaceAll(v, ":", "")); n != strings.ToLower(v) && len(n) >= 6 {
		forms = append(forms, n) // MAC without separators
	}
	seen := map[string]bool{}
	add := func(s, enc string, fold bool) {
		if len(s) < 3 || seen[s] {
			return
		}
		seen[s] = true
		cc.needles = append(cc.needles, needle{text: s, fold: fold, encoding: enc})
	}
	for _, f := range forms {
		add(f, "plain", true)
		add(hex.EncodeToString([]byte(f)), "hex", true)
		for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			add(e.EncodeToString([]byte(f)), "base64", false)
		}
		add(url.QueryEscape(f), "url", true)
		add(url.PathEscape(f), "url", true)
		for _, h := range []string{f, strings.ToLower(f), strings.ToUpper(f)} {
			m := md5.Sum([]byte(h))
			s1 := sha1.Sum([]byte(h))
			s2 := sha256.Sum256([]byte(h))
			add(hex.EncodeToString(m[:]), "md5", true)
			add(hex.EncodeToString(s1[:]), "sha1", true)
			add(hex.EncodeToString(s2[:]), "sha256", true)
			add(base64.StdEncoding.EncodeToString(m[:]), "md5-base64", false)
		}
		if n, err := strconv.ParseUint(f, 10, 64); err == nil && n >= 1000 {
			cc.ints[n] = "number"
			var b8 [8]byte
			binary.BigEndian.PutUint64(b8[:], n)
			cc.ints[binary.LittleEndian.Uint64(b8[:])] = "number-byteswapped"
			if n <= math.MaxUint32 {
				var b4 [4]byte
				binary.BigEndian.PutUint32(b4[:], uint32(n))
				cc.ints[uint64(binary.LittleEndian.Uint32(b4[:]))] = "number-byteswapped"
			}
		}
	}
	if c.Type == taxonomy.Location || c.Type == taxonomy.CoarseLocation {
		if lat, lon, ok := parseLatLon(v); ok {
			cc.coord = &[2]float64{lat, lon}
		}
	}
	return cc
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func parseLatLon(s string) (float64, float64, bool) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}

// canaryTolerance is how close (degrees) a coordinate must be to a
// location canary: about 1 km, the precision of a city block.
const canaryTolerance = 0.01

// matchLeaf returns the encoding in which f holds the canary, or "".
func (cc *compiledCanary) matchLeaf(f *Field) string {
	switch f.Kind {
	case KindText, KindNumber:
		low := ""
		for _, n := range cc.needles {
			if n.fold {
				if low == "" {
					low = strings.ToLower(f.Text)
				}
				if strings.Contains(low, strings.ToLower(n.text)) {
					return n.encoding
				}
			} else if strings.Contains(f.Text, n.text) {
				return n.encoding
			}
		}
	case KindBytes, KindOpaque:
		for _, n := range cc.needles {
			if n.encoding == "plain" && strings.Contains(string(f.Bytes), n.text) {
				return "bytes"
			}
		}
	case KindVarint, KindFixed32, KindFixed64:
		if e, ok := cc.ints[f.Uint]; ok && f.Uint != 0 {
			return e
		}
	}
	if cc.coord != nil {
		if x, ok := numericValue(f); ok {
			lat, lon := cc.coord[0], cc.coord[1]
			for _, scale := range []float64{1, 1e6} {
				if math.Abs(x/scale-lat) < canaryTolerance || math.Abs(x/scale-lon) < canaryTolerance {
					if math.Abs(x/scale) >= 1 {
						if scale == 1 {
							return "coordinate"
						}
						return "microdegrees"
					}
				}
			}
		}
	}
	return ""
}

// numericValue returns a leaf's value as a number when it has one.
func numericValue(f *Field) (float64, bool) {
	switch f.Kind {
	case KindFixed32, KindFixed64:
		return fixedFloat(f), true
	case KindVarint:
		return float64(int64(f.Uint)), true
	case KindText, KindNumber:
		if v, d, ok := decimal(f.Text); ok && (d > 0 || len(f.Text) >= 7) {
			return v, true
		}
	}
	return 0, false
}
