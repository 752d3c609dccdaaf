package analyze

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// sharedOracle says which data types one request of the shared logs
// carries, from values the researcher's emulator is known to have sent,
// searched in every leaf whatever its name or position: an oracle that
// does not use the detectors' reasoning. The account, device id, client
// version are read at test time from the log's first androidfcmreg (216)
// BaseRequest and the user name from statusnotify's from-user, so no
// identifier is written here; push tokens by their format; the rest are
// the emulator's stock values (model, OS, Wi-Fi, carrier, the
// Googleplex fix at 37.422, -122.084) and the two searches the researcher
// typed.
type sharedOracle struct {
	uin, clientVersion uint64
	deviceID, wxid     string
}

// learn reads the identifiers from a request of type 216 (its BaseRequest)
// and the account's user name from statusnotify (251, its from-user).
func (o *sharedOracle) learn(typ int, fields []classify.Field) {
	for _, f := range fields {
		switch {
		case typ == 251 && f.Path == "3" && o.wxid == "":
			o.wxid = f.Text
		case typ != 216 || o.uin != 0 && o.deviceID != "" && o.clientVersion != 0:
		case f.Path == "1.2":
			o.uin = f.Uint
		case f.Path == "1.3":
			o.deviceID = strings.TrimRight(f.Text, "\x00")
		case f.Path == "1.4":
			o.clientVersion = f.Uint
		}
	}
}

// oracleTypes are the data types the oracle can judge.
var oracleTypes = []taxonomy.DataType{taxonomy.AccountID, taxonomy.DeviceID, taxonomy.ClientVersion, taxonomy.PushToken,
	taxonomy.DeviceModel, taxonomy.OSVersion, taxonomy.WiFi, taxonomy.CellCarrier, taxonomy.Location, taxonomy.SearchQuery}

// carries returns the oracle's data types of one request.
func (o *sharedOracle) carries(fields []classify.Field) map[string]bool {
	out := map[string]bool{}
	uin := strconv.FormatUint(o.uin, 10)
	cv := strconv.FormatUint(o.clientVersion, 10)
	lat := false
	for _, f := range fields {
		if f.Container {
			continue
		}
		s := strings.TrimRight(f.Text, "\x00")
		ls := strings.ToLower(s)
		switch f.Kind {
		case classify.KindVarint:
			if o.uin != 0 && f.Uint == o.uin {
				out[string(taxonomy.AccountID)] = true
			}
			if o.clientVersion != 0 && f.Uint == o.clientVersion {
				out[string(taxonomy.ClientVersion)] = true
			}
		case classify.KindFixed32, classify.KindFixed64:
			lat = lat || (f.HasFloat && math.Abs(f.Float-37.422) < 1e-3)
		}
		if s == "" {
			continue
		}
		if o.uin != 0 && s == uin {
			out[string(taxonomy.AccountID)] = true
		}
		if o.deviceID != "" && strings.Contains(s, o.deviceID) {
			out[string(taxonomy.DeviceID)] = true
		}
		if o.clientVersion != 0 && s == cv {
			out[string(taxonomy.ClientVersion)] = true
		}
		if o.wxid != "" && s == o.wxid {
			out[string(taxonomy.AccountID)] = true
		}
		// An FCM registration token: "<instance id>:APA91b…".
		if strings.Contains(s, ":APA91b") {
			out[string(taxonomy.PushToken)] = true
		}
		if strings.Contains(ls, "sdk_gphone64_arm64") {
			out[string(taxonomy.DeviceModel)] = true
		}
		// The API level, the release, or the release inside the build
		// fingerprint ("…/emulator64_arm64:12/S2B2…").
		if strings.Contains(ls, "android-32") || strings.Contains(ls, "android 12") || strings.Contains(ls, "emulator64_arm64:12/") {
			out[string(taxonomy.OSVersion)] = true
		}
		if strings.Contains(s, "AndroidWifi") || strings.Contains(ls, "00:13:10:85:fe:01") {
			out[string(taxonomy.WiFi)] = true
		}
		if ls == "t-mobile" {
			out[string(taxonomy.CellCarrier)] = true
		}
		if strings.HasPrefix(s, "37.422") || s == "37422000" || strings.Contains(s, "37.422,") || strings.Contains(s, "37.422000") {
			lat = true
		}
		// The two searches typed, and "did", the prefix of 滴滴 (Didi) the
		// suggestion request 1161 sent while the second was being typed.
		if strings.Contains(s, "小程序示例") || strings.Contains(s, "滴滴打车") || s == "did" {
			out[string(taxonomy.SearchQuery)] = true
		}
	}
	if lat {
		out[string(taxonomy.Location)] = true
	}
	return out
}

// TestSharedPerRequestType scores the shared logs per (request type, data
// type) against the value oracle, for the data types it can judge.
func TestSharedPerRequestType(t *testing.T) {
	var o sharedOracle
	truth := map[int]map[string]bool{} // request id → oracle types
	rep, err := Run(context.Background(), sharedInputs(t), Options{OnRequest: func(ev RequestEvent) {
		o.learn(ev.Request.ReqType, ev.Fields)
		truth[ev.Request.ID] = o.carries(ev.Fields)
	}})
	if err != nil {
		t.Fatal(err)
	}
	judged := map[string]bool{}
	for _, dt := range oracleTypes {
		judged[string(dt)] = true
	}
	labels := map[string]map[string]bool{}
	got := map[string]map[string]bool{}
	for _, q := range rep.Requests {
		k := q.Run + "|" + reqKeyOf(q.URI, q.ReqType)
		if labels[k] == nil {
			labels[k], got[k] = map[string]bool{}, map[string]bool{}
		}
		for dt := range truth[q.ID] {
			labels[k][dt] = true
		}
		for _, dt := range q.DataTypes {
			if judged[dt] {
				got[k][dt] = true
			}
		}
	}
	runs := make([]runLabels, 0, len(labels))
	for k, want := range labels {
		r := runLabels{Run: k, Present: map[string]string{}}
		for dt := range want {
			r.Present[dt] = ""
		}
		runs = append(runs, r)
	}
	scores, misses := ScoreLabels(runs, got)
	t.Logf("shared logs, per (run, request type, data type), value oracle (tp fp fn):\n%s\ndisagreements:\n%s", checkScores(t, scores), strings.Join(misses, "\n"))
}

// checkScores fails the test for every data type with at least 5
// positives below 0.90 precision or recall, and returns the scores as text.
func checkScores(t *testing.T, scores []TypeScore) string {
	t.Helper()
	var b strings.Builder
	for _, s := range scores {
		b.WriteString(s.String() + "\n")
		if s.TP+s.FN >= 5 && (s.Precision() < 0.9 || s.Recall() < 0.9) {
			t.Errorf("%s below 0.9", s)
		}
	}
	return b.String()
}
