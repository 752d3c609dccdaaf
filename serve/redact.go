package serve

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/report"
)

// redactor hides the researcher's identifiers, as a shared report does:
// values of identifying data types become keyed-hash pseudonyms (equal
// values get equal pseudonyms, so patterns stay visible) and coordinates are
// coarsened to about 1 km. With reveal set it passes everything through.
//
// The key is random per server process: pseudonyms are stable while the
// server runs and cannot be reversed by a dictionary of likely values.
type redactor struct {
	reveal bool
	key    []byte
}

func newRedactor(reveal bool) *redactor {
	k := make([]byte, 32)
	rand.Read(k)
	return &redactor{reveal: reveal, key: k}
}

// identifying lists the data types whose values identify the researcher,
// their device, accounts, contacts or whereabouts.
var identifying = map[string]bool{
	string(classify.AccountID): true, string(classify.DeviceID): true, string(classify.IPAddress): true,
	string(classify.WiFi): true, string(classify.PhoneNumber): true, string(classify.Email): true,
	string(classify.SessionToken): true, string(classify.PushToken): true, string(classify.ProfileName): true,
	string(classify.ContactsSocialGraph): true, string(classify.ThirdPartyUserID): true,
	string(classify.MessageContent): true, string(classify.MomentsContent): true,
	string(classify.Location): true, string(classify.CoarseLocation): true,
}

// hides reports whether values of dataType are hidden.
func (r *redactor) hides(dataType string) bool { return !r.reveal && identifying[dataType] }

// pseudonym replaces a value of dataType.
func (r *redactor) pseudonym(dataType, v string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(dataType))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return "‹" + dataType + " " + hex.EncodeToString(m.Sum(nil)[:4]) + "›"
}

// coarse rounds a coordinate to 0.01° (about 1.1 km of latitude).
func (r *redactor) coarse(x float64) float64 {
	if r.reveal {
		return x
	}
	return math.Round(x*100) / 100
}

// finding returns f with its evidence value hidden when its type is.
func (r *redactor) finding(f report.Finding) report.Finding {
	if !r.hides(f.DataType) {
		return f
	}
	if f.Coord != nil {
		c := *f.Coord
		c.Lat, c.Lon = r.coarse(c.Lat), r.coarse(c.Lon)
		f.Coord = &c
		f.Evidence.Value = "≈" + strconv.FormatFloat(c.Lat, 'f', 2, 64) + "," + strconv.FormatFloat(c.Lon, 'f', 2, 64) + " (coarsened)"
		return f
	}
	f.Evidence.Value = r.pseudonym(f.DataType, f.Evidence.Value)
	return f
}

func (r *redactor) findings(fs []report.Finding) []report.Finding {
	out := make([]report.Finding, len(fs))
	for i, f := range fs {
		out[i] = r.finding(f)
	}
	return out
}

func (r *redactor) location(l report.Location) report.Location {
	// The precision stays: it says what WeChat sent, not where the
	// researcher was.
	l.Lat, l.Lon = r.coarse(l.Lat), r.coarse(l.Lon)
	return l
}
