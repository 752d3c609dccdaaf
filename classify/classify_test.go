package classify

import (
	"math"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

func text(path, s string) Field { return Field{Path: path, Kind: KindText, Text: s} }

func f32(path string, v float32) Field {
	return Field{Path: path, Kind: KindFixed32, Uint: uint64(math.Float32bits(v)), Float: float64(v), HasFloat: true}
}

func has(fs []Finding, dt taxonomy.DataType) bool {
	for _, f := range fs {
		if f.DataType == dt {
			return true
		}
	}
	return false
}

func TestClassify(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		name   string
		req    Request
		fields []Field
		want   []taxonomy.DataType // must be found
		not    []taxonomy.DataType // must not be found
	}{
		{"base request", Request{}, []Field{
			{Path: "1.2", Kind: KindVarint, Uint: 12345}, text("1.3", "A0123456789abcd\x00"),
			{Path: "1.4", Kind: KindVarint, Uint: 0x28001737}, text("1.5", "android-30")},
			[]taxonomy.DataType{taxonomy.AccountID, taxonomy.DeviceID, taxonomy.ClientVersion, taxonomy.OSVersion}, nil},
		{"uin without base request says nothing", Request{}, []Field{{Path: "1.2", Kind: KindVarint, Uint: 12345}, text("1.5", "hello")},
			nil, []taxonomy.DataType{taxonomy.AccountID, taxonomy.ClientVersion}},
		{"auth setting granted", Request{}, []Field{{Path: "2.2.event_value.authSetting.scope.userLocation", Kind: KindVarint, Uint: 1}},
			[]taxonomy.DataType{taxonomy.PermissionsState}, nil},
		{"auth setting denied still tells the state", Request{}, []Field{{Path: "2.2.authSetting.scope.camera", Kind: KindVarint, Uint: 0}},
			[]taxonomy.DataType{taxonomy.PermissionsState}, nil},
		{"scope outside authSetting says nothing", Request{}, []Field{{Path: "2.2.scope.userLocation", Kind: KindVarint, Uint: 1}},
			nil, []taxonomy.DataType{taxonomy.PermissionsState}},
		{"autoauth ticket", Request{URI: "/cgi-bin/micromsg-bin/secautoauth"}, []Field{{Path: "2.3.2.2.2.2", Kind: KindOpaque, Bytes: []byte{0x8f, 0x12, 0xa0}}},
			[]taxonomy.DataType{taxonomy.SessionToken}, nil},
		{"deviceinfo xml", Request{}, []Field{text("2.10.deviceinfo.MANUFACTURER.@name", "Xiaomi"), text("2.10.deviceinfo.MANUFACTURER.MODEL.@name", "Mi 11"),
			text("2.10.deviceinfo.MANUFACTURER.MODEL.VERSION_RELEASE.VERSION_INCREMENTAL.DISPLAY.@name", "mi_11-user 13 TQ3A.230805.001 123 release-keys")},
			[]taxonomy.DataType{taxonomy.DeviceModel, taxonomy.OSVersion}, nil},
		{"websearch query by path", Request{URI: "/cgi-bin/micromsg-bin/mmwebsearch"}, []Field{text("2", "cheap flights")}, []taxonomy.DataType{taxonomy.SearchQuery}, nil},
		{"719 without a URI says nothing", Request{ReqType: 719}, []Field{text("2", "cheap flights")}, nil, []taxonomy.DataType{taxonomy.SearchQuery}},
		{"sns comment", Request{URI: "/cgi-bin/micromsg-bin/mmsnscomment"}, []Field{text("2.3.2", "wxid_abcdefgh12"), text("2.3.3", "Alice"), text("2.3.8", "nice!")},
			[]taxonomy.DataType{taxonomy.ContactsSocialGraph, taxonomy.ProfileName, taxonomy.MomentsContent}, nil},
		{"float32 pair", Request{}, []Field{f32("2.1", -79.3957), f32("2.2", 43.6629)}, []taxonomy.DataType{taxonomy.Location}, nil},
		{"zero pair is a placeholder", Request{}, []Field{f32("20.1", 0), f32("20.2", 0)}, nil, []taxonomy.DataType{taxonomy.Location, taxonomy.CoarseLocation}},
		{"coarse decimal pair", Request{}, []Field{text("8.$3", "43.6"), text("8.$4", "-79.4")}, []taxonomy.DataType{taxonomy.CoarseLocation}, []taxonomy.DataType{taxonomy.Location}},
		{"micro-degrees", Request{}, []Field{text("4.$0", "43662900"), text("4.$1", "-79395700")}, []taxonomy.DataType{taxonomy.Location}, nil},
		{"positive counters are not micro-degrees", Request{}, []Field{text("4.$0", "39218276"), text("4.$1", "50749651")}, nil, []taxonomy.DataType{taxonomy.Location}},
		{"non-adjacent fields", Request{}, []Field{f32("2.1", -79.3957), f32("2.3", 43.6629)}, nil, []taxonomy.DataType{taxonomy.Location}},
		{"bssid and ssid in a report line", Request{}, []Field{
			{Path: "8.$4", Kind: KindText, Text: "HomeNet", Chain: []string{"string", "report_line", "string"}},
			{Path: "8.$5", Kind: KindText, Text: "00:13:10:85:fe:01", Chain: []string{"string", "report_line", "string"}}},
			[]taxonomy.DataType{taxonomy.WiFi}, nil},
		{"android placeholder MAC", Request{}, []Field{text("3", "02:00:00:00:00:00")}, nil, []taxonomy.DataType{taxonomy.WiFi}},
		{"fcm token rule", Request{URI: "/cgi-bin/micromsg-bin/androidfcmreg"},
			[]Field{text("2", "abcdefghijk:APA91b"+string(make([]byte, 0))+"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")},
			[]taxonomy.DataType{taxonomy.PushToken}, nil},
		{"rule needs its endpoint", Request{URI: "/cgi-bin/micromsg-bin/other"}, []Field{text("2.2", "hello there")}, nil, []taxonomy.DataType{taxonomy.MessageContent}},
		{"message content", Request{ReqType: 522}, []Field{text("2.2", "hello there")}, []taxonomy.DataType{taxonomy.MessageContent}, nil},
		{"json keys", Request{}, []Field{text("2.2.page_path", "pages/index/index"), {Path: "2.2.staytime", Kind: KindNumber, Text: "1234"}},
			[]taxonomy.DataType{taxonomy.MiniProgramPagePath, taxonomy.UsageStatistics}, nil},
		{"private ip", Request{}, []Field{text("5", "192.168.1.20")}, []taxonomy.DataType{taxonomy.IPAddress}, nil},
		{"public ip alone says nothing", Request{}, []Field{text("5", "49.51.89.236")}, nil, []taxonomy.DataType{taxonomy.IPAddress}},
		{"build id abi", Request{}, []Field{text("1", "tinker_id_abc_arm64-v8a")}, nil, []taxonomy.DataType{taxonomy.DeviceHardware}},
		// Names: JSON/query keys and protobuf key/value pairs.
		{"kv pair names", Request{}, []Field{text("3.1", "device-name"), text("3.2", "Xiaomi-Mi 11"), text("3.1", "support-64-bit"), text("3.2", "1"),
			text("3.1", "os-name"), text("3.2", "android-Xiaomi")},
			[]taxonomy.DataType{taxonomy.DeviceModel, taxonomy.DeviceHardware}, nil},
		{"kv pair placeholder", Request{}, []Field{text("3.1", "device-brand"), text("3.2", "null")}, nil, []taxonomy.DataType{taxonomy.DeviceModel}},
		{"search keys", Request{}, []Field{text("14.query", "cheap flights"), text("14.returnquery", "")}, []taxonomy.DataType{taxonomy.SearchQuery}, nil},
		{"numeric query is not a search", Request{}, []Field{text("1.data.query", "12345")}, nil, []taxonomy.DataType{taxonomy.SearchQuery}},
		{"search request text next to its session id", Request{ReqType: 4242}, []Field{text("2", "pizza near me"), text("17.1", "parentSearchID"), text("17.3", "1:2:pizza")},
			[]taxonomy.DataType{taxonomy.SearchQuery}, nil},
		{"network timing", Request{}, []Field{text("4.4.2.$15.rtt", "120"), text("4.4.2.$15.connectStart", "1690000000000")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"errMsg failure of an API call is the call, not a fault", Request{}, []Field{text("2.7.errMsg", "getLocation:fail auth deny")}, []taxonomy.DataType{taxonomy.UIEvents}, []taxonomy.DataType{taxonomy.Diagnostics}},
		{"errMsg failure of the runtime", Request{}, []Field{text("2.7.errMsg", "request failed: net::ERR_CONNECTION_RESET")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"errMsg ok", Request{}, []Field{text("2.7.errMsg", "getStorage:ok")}, nil, []taxonomy.DataType{taxonomy.Diagnostics}},
		{"exception text", Request{}, []Field{text("4.$2", "[x]: java.lang.SecurityException: no permission")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"user agent", Request{}, []Field{text("20.ua", "Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230805.001)")},
			[]taxonomy.DataType{taxonomy.SystemSoftware, taxonomy.DeviceModel, taxonomy.OSVersion}, nil},
		{"ios user agent", Request{}, []Field{text("20.ua", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40")},
			[]taxonomy.DataType{taxonomy.SystemSoftware, taxonomy.OSVersion}, []taxonomy.DataType{taxonomy.DeviceModel}},
		{"build fingerprint", Request{}, []Field{text("2.fp", "google/panther/panther:13/TQ3A.230805.001/10316531:user/release-keys")},
			[]taxonomy.DataType{taxonomy.SystemSoftware, taxonomy.DeviceModel}, nil},
		{"other app package", Request{}, []Field{text("4.$1", "com.example.launcher")}, []taxonomy.DataType{taxonomy.SystemSoftware}, nil},
		{"wechat's own package", Request{}, []Field{text("4.$1", "com.tencent.mm")}, nil, []taxonomy.DataType{taxonomy.SystemSoftware}},
		{"third-party uid in a developer url", Request{}, []Field{text("4.$4.$url", "https://api.example.com/v1/items"), text("4.$4.shopuid", "9876543210")},
			[]taxonomy.DataType{taxonomy.ThirdPartyUserID}, nil},
		{"uid on a tencent host", Request{}, []Field{text("4.$4.$url", "https://res.wx.qq.com/a"), text("4.$4.uid", "9876543210")},
			nil, []taxonomy.DataType{taxonomy.ThirdPartyUserID}},
		{"media element", Request{}, []Field{text("2.2.TimelineObject.mediaList.media.url.@md5", "0123456789abcdef0123456789abcdef"),
			text("2.2.TimelineObject.mediaList.media.size.@width", "640.0")},
			[]taxonomy.DataType{taxonomy.ImageMediaMetadata}, nil},
		{"width outside media", Request{}, []Field{text("2.2.window.width", "640")}, nil, []taxonomy.DataType{taxonomy.ImageMediaMetadata}},
		{"media mime in a report line", Request{}, []Field{{Path: "4.$1", Kind: KindText, Text: "image/jpeg", Chain: []string{"string", "report_line", "string"}}},
			[]taxonomy.DataType{taxonomy.ImageMediaMetadata}, nil},
		{"feed exposure", Request{}, []Field{text("4.$6[].feedId", "1406421059765518"), text("4.$6[].realShowTime", "1200")},
			[]taxonomy.DataType{taxonomy.ContentBrowsing, taxonomy.UsageStatistics}, nil},
		{"feed id alone", Request{}, []Field{text("4.$6[].feedId", "1406421059765518")}, nil, []taxonomy.DataType{taxonomy.ContentBrowsing}},
		{"page route in a report line", Request{}, []Field{{Path: "4.$12", Kind: KindText, Text: "pages/index/index", Chain: []string{"string", "report_line", "string"}}},
			[]taxonomy.DataType{taxonomy.MiniProgramPagePath}, nil},
		{"event time in a report line", Request{}, []Field{{Path: "8.$1", Kind: KindText, Text: "1690000000", Chain: []string{"string", "report_line", "string"}}},
			[]taxonomy.DataType{taxonomy.ActivityTimestamps}, nil},
		{"uin in a report line is not a time", Request{}, []Field{{Path: "1.2", Kind: KindVarint, Uint: 1602345678}, text("1.3", "A0123456789abcd\x00"),
			text("1.5", "android-30"), {Path: "8.$1", Kind: KindText, Text: "1602345678", Chain: []string{"string", "report_line", "string"}}},
			nil, []taxonomy.DataType{taxonomy.ActivityTimestamps}},
		{"client ip by name", Request{}, []Field{text("2.clientIP", "203.0.113.9")}, []taxonomy.DataType{taxonomy.IPAddress}, nil},
		{"server ip by name says nothing", Request{}, []Field{text("2.peerIP", "203.0.113.9")}, nil, []taxonomy.DataType{taxonomy.IPAddress}},
		{"opaque blob", Request{}, []Field{{Path: "", Kind: KindOpaque, Bytes: make([]byte, 64)}}, []taxonomy.DataType{taxonomy.OpaqueEncryptedBlob}, nil},
		{"short opaque bytes", Request{}, []Field{{Path: "3", Kind: KindOpaque, Bytes: make([]byte, 8)}}, nil, []taxonomy.DataType{taxonomy.OpaqueEncryptedBlob}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(tt.req, tt.fields)
			for _, w := range tt.want {
				if !has(got, w) {
					t.Errorf("missing %s in %+v", w, got)
				}
			}
			for _, n := range tt.not {
				if has(got, n) {
					t.Errorf("unexpected %s in %+v", n, got)
				}
			}
		})
	}
}

func TestCanaries(t *testing.T) {
	c := New(Options{Canaries: []Canary{
		{Name: "phone", Type: taxonomy.PhoneNumber, Value: "+1 416 555 0100"},
		{Name: "imei", Type: taxonomy.DeviceID, Value: "356938035643809"},
		{Name: "home", Type: taxonomy.Location, Value: "43.6629,-79.3957"},
		{Name: "ssid", Type: taxonomy.WiFi, Value: "MyHomeWifi"},
	}, NoValueDetectors: true})
	tests := []struct {
		name  string
		field Field
		want  string // canary name, "" = none
	}{
		{"phone digits", text("1", "x=14165550100&y=1"), "phone"},
		{"phone national", text("1", "4165550100"), "phone"},
		{"imei md5", text("1", "c5e5a2ba8fbc4b0c3fbd42b5f4b0f9b5"), ""},
		{"imei varint", Field{Path: "1", Kind: KindVarint, Uint: 356938035643809}, "imei"},
		{"imei base64", text("1", "MzU2OTM4MDM1NjQzODA5"), "imei"},
		{"ssid upper", text("1", "MYHOMEWIFI"), "ssid"},
		{"ssid hex", text("1", "4d79486f6d6557696669"), "ssid"},
		{"coordinate float", f32("3", 43.663), "home"},
		{"coordinate micro", Field{Path: "3", Kind: KindVarint, Uint: uint64(43662900)}, "home"},
		{"unrelated", text("1", "hello"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(Request{}, []Field{tt.field})
			name := ""
			if len(got) > 0 {
				name = got[0].Canary
			}
			if name != tt.want {
				t.Errorf("got %q, want %q (%+v)", name, tt.want, got)
			}
		})
	}
}

func TestParseRules(t *testing.T) {
	if len(DefaultRules()) < 20 {
		t.Fatal("shipped rules missing")
	}
	for _, bad := range []string{
		"rules: [{id: x, path: '1', data_type: nope, confidence: high, reason: r}]",
		"rules: [{id: x, path: '1', data_type: email, confidence: sure, reason: r}]",
		"rules: [{id: x, path: '1', data_type: email, confidence: high}]",
		"rules: [{id: x, path: '1..2', data_type: email, confidence: high, reason: r}]",
		"rules: [{id: x, path: '1', match: '(', data_type: email, confidence: high, reason: r}]",
	} {
		if _, err := ParseRules([]byte(bad)); err == nil {
			t.Errorf("ParseRules(%q) succeeded", bad)
		}
	}
}

func FuzzClassify(f *testing.F) {
	f.Add("2.1", "43.6629", "2.2", "-79.3957", uint64(0))
	f.Add("1.3", "A0123456789abcd\x00", "1.5", "android-30", uint64(12345))
	f.Add("8.$4", "AndroidWifi", "8.$5", "00:13:10:85:fe:01", uint64(1))
	c := New(Options{Canaries: []Canary{{Name: "c", Type: taxonomy.PhoneNumber, Value: "+14165550100"}}})
	f.Fuzz(func(t *testing.T, p1, s1, p2, s2 string, u uint64) {
		fields := []Field{text(p1, s1), text(p2, s2), {Path: p1, Kind: KindVarint, Uint: u},
			{Path: p2, Kind: KindFixed32, Uint: u & 0xffffffff}, {Path: p2, Kind: KindBytes, Bytes: []byte(s1)}}
		for _, fd := range c.Classify(Request{URI: s1, ReqType: int(u % 4000)}, fields) {
			if !taxonomy.Known(fd.DataType) || fd.Confidence.Rank() == 0 || len(fd.Value) > MaxExcerpt+4 && fd.Canary == "" && fd.Coord == nil {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}
