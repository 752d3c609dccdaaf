package classify

import (
	"math"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// Hand-made cases for detection that must not depend on the layouts of the
// shared logs: every hemisphere, both client platforms, renamed endpoints,
// and the look-alikes that must stay silent.

func varint(path string, v int64) Field { return Field{Path: path, Kind: KindVarint, Uint: uint64(v)} }

func f64(path string, v float64) Field {
	return Field{Path: path, Kind: KindFixed64, Uint: math.Float64bits(v), Float: v, HasFloat: true}
}

func num(path, s string) Field { return Field{Path: path, Kind: KindNumber, Text: s} }

func sfixed32(path string, v int32) Field {
	return Field{Path: path, Kind: KindFixed32, Uint: uint64(uint32(v)), Float: float64(math.Float32frombits(uint32(v))), HasFloat: true}
}

func inReport(f Field) Field { f.Chain = []string{"string", "report_line", "string"}; return f }

// coordOf returns the first coordinate finding.
func coordOf(fs []Finding) *Coord {
	for _, f := range fs {
		if f.Coord != nil {
			return f.Coord
		}
	}
	return nil
}

// negLat is Sydney's latitude in micro-degrees, held in a variable so it
// can be converted to uint32 as an encoder would.
var negLat int32 = -33868800

func TestCoordinatesEveryHemisphere(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		name     string
		fields   []Field
		lat, lon float64 // 0, 0: no coordinate may be found
	}{
		// Unnamed micro-degree pairs (protobuf varints, report line values).
		{"shanghai micro varints lat,lon", []Field{varint("3.1", 31230416), varint("3.2", 121473701)}, 31.230416, 121.473701},
		{"shanghai micro varints lon,lat", []Field{varint("3.1", 121473701), varint("3.2", 31230416)}, 31.230416, 121.473701},
		{"beijing micro text", []Field{inReport(text("4.4.2.$7", "39904200")), inReport(text("4.4.2.$8", "116407396"))}, 39.9042, 116.407396},
		{"sydney micro negative varint", []Field{varint("2.1", 151209300), varint("2.2", -33868800)}, -33.8688, 151.2093},
		{"são paulo micro both negative", []Field{text("4.$3", "-23550520"), text("4.$4", "-46633308")}, -23.55052, -46.633308},
		{"london micro near the meridian", []Field{text("4.$3", "51507400"), text("4.$4", "-127600")}, 51.5074, -0.1276},
		{"sfixed32 micro", []Field{sfixed32("5.1", 121473701), sfixed32("5.2", 31230416)}, 31.230416, 121.473701},
		// Decimal strings and floats.
		{"shanghai decimal", []Field{text("8.$3", "31.2304"), text("8.$4", "121.4737")}, 31.2304, 121.4737},
		{"sydney decimal", []Field{text("8.$3", "-33.8688"), text("8.$4", "151.2093")}, -33.8688, 151.2093},
		{"london decimal", []Field{text("8.$3", "51.5074"), text("8.$4", "-0.1276")}, 51.5074, -0.1276},
		{"paris decimal, both small and positive, 4 decimals", []Field{text("8.$3", "48.8566"), text("8.$4", "2.3522")}, 48.8566, 2.3522},
		{"beijing float32", []Field{f32("6.1", 116.4074), f32("6.2", 39.9042)}, 39.9042, 116.4074},
		{"sydney float64", []Field{f64("6.1", 151.2093), f64("6.2", -33.8688)}, -33.8688, 151.2093},
		{"são paulo float32", []Field{f32("6.1", -46.6333), f32("6.2", -23.5505)}, -46.6333, -23.5505},
		{"int32 as uint32 varint (5-byte negative)", []Field{{Path: "2.1", Kind: KindVarint, Uint: uint64(uint32(negLat))}, varint("2.2", 151209300)}, -33.8688, 151.2093},
		{"one string, comma", []Field{text("3", "31.230416,121.473701")}, 31.230416, 121.473701},
		{"one string, southern, with a space", []Field{text("3", "-33.868800, 151.209300")}, -33.8688, 151.2093},
		// Named pairs, any order, not adjacent, several spellings.
		{"json latitude/longitude numbers", []Field{num("2.2.latitude", "31.2304"), num("2.2.speed", "0"), num("2.2.longitude", "121.4737")}, 31.2304, 121.4737},
		{"json lng before lat strings", []Field{text("2.loc.lng", "-0.1276"), text("2.loc.lat", "51.5074")}, 51.5074, -0.1276},
		{"query lat/lon", []Field{text("lat", "-33.8688"), text("lon", "151.2093")}, -33.8688, 151.2093},
		{"named micro-degrees, both positive and under 90", []Field{num("1.data.latitude", "48856600"), num("1.data.longitude", "2352200")}, 48.8566, 2.3522},
		{"prefixed names", []Field{num("2.gpsLatitude", "39.9042"), num("2.gpsLongitude", "116.4074")}, 39.9042, 116.4074},
		{"misspelt longtitude", []Field{text("2.poi.latitude", "-23.5505"), text("2.poi.longtitude", "-46.6333")}, -23.5505, -46.6333},
		{"x/y under a location", []Field{num("2.location.x", "121.4737"), num("2.location.y", "31.2304")}, 31.2304, 121.4737},
		{"x/y next to an accuracy", []Field{num("2.fix.x", "151.2093"), num("2.fix.y", "-33.8688"), num("2.fix.accuracy", "15")}, -33.8688, 151.2093},
		{"protobuf key/value pair names", []Field{text("5.1", "latitude"), text("5.2", "31.2304"), text("5.1", "longitude"), text("5.2", "121.4737")}, 31.2304, 121.4737},

		// Look-alikes that are not places.
		{"phone-number-like integers", []Field{varint("3.1", 13812345678), varint("3.2", 13987654321)}, 0, 0},
		{"unix times", []Field{inReport(text("4.$1", "1681409964")), inReport(text("4.$2", "1681409965"))}, 0, 0},
		{"millisecond times", []Field{inReport(text("4.$1", "1681409964363")), inReport(text("4.$2", "1681409965356"))}, 0, 0},
		{"version numbers", []Field{inReport(text("4.$1", "8.0")), inReport(text("4.$2", "2.24"))}, 0, 0},
		{"version and ratio", []Field{text("4.$1", "7.0.3"), text("4.$2", "1.25")}, 0, 0},
		{"positive counters", []Field{text("4.$0", "39218276"), text("4.$1", "50749651")}, 0, 0},
		{"close positive sizes", []Field{text("4.$0", "3039901"), text("4.$1", "3040197")}, 0, 0},
		{"two values beyond 90", []Field{text("4.$0", "117134955"), text("4.$1", "121083080")}, 0, 0},
		{"small float pair", []Field{f32("2.1", 1.5), f32("2.2", 2.25)}, 0, 0},
		{"durations with 3 decimals", []Field{inReport(text("4.$5", "12.345")), inReport(text("4.$6", "67.891"))}, 0, 0},
		{"screen size", []Field{varint("9.1", 1080), varint("9.2", 2296)}, 0, 0},
		{"a counter next to a flag", []Field{varint("9.1", 37422000), varint("9.2", -1)}, 0, 0},
		{"x/y of a screen", []Field{num("2.touch.x", "121.5"), num("2.touch.y", "31.25")}, 0, 0},
		{"named placeholders", []Field{num("2.latitude", "0"), num("2.longitude", "0")}, 0, 0},
		{"named but out of range", []Field{num("2.latitude", "131.2"), num("2.longitude", "121.4")}, 0, 0},
		{"whole degrees under names", []Field{num("2.lat", "31"), num("2.lng", "121")}, 0, 0},
		{"a size pair in one string", []Field{text("3", "12.500,30.250")}, 0, 0},
		{"platform is not lat", []Field{text("2.plat", "31.2304"), text("2.lng", "121.4737")}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(Request{}, tt.fields)
			co := coordOf(got)
			if tt.lat == 0 && tt.lon == 0 {
				if co != nil || has(got, taxonomy.Location) || has(got, taxonomy.CoarseLocation) {
					t.Fatalf("found a place in a look-alike: %+v", got)
				}
				return
			}
			if co == nil || !has(got, taxonomy.Location) {
				t.Fatalf("no precise location: %+v", got)
			}
			if math.Abs(co.Lat-tt.lat) > 1e-4 || math.Abs(co.Lon-tt.lon) > 1e-4 {
				t.Fatalf("got %.6f,%.6f want %.6f,%.6f", co.Lat, co.Lon, tt.lat, tt.lon)
			}
		})
	}
}

func TestCoordinatePrecision(t *testing.T) {
	c := New(Options{})
	got := c.Classify(Request{}, []Field{text("8.$3", "-33.9"), text("8.$4", "151.2")})
	if !has(got, taxonomy.CoarseLocation) || has(got, taxonomy.Location) {
		t.Fatalf("one decimal is coarse: %+v", got)
	}
	co := coordOf(c.Classify(Request{}, []Field{num("2.latitude", "31230000"), num("2.longitude", "121470000")}))
	if co == nil || co.PrecisionM != 1113.2 || co.Encoding != "microdegrees" {
		t.Fatalf("micro-degrees with trailing zeros: %+v", co)
	}
}

func TestBaseRequestPlatforms(t *testing.T) {
	c := New(Options{})
	all := []taxonomy.DataType{taxonomy.AccountID, taxonomy.DeviceID, taxonomy.ClientVersion, taxonomy.OSVersion}
	iosID := []byte{0x49, 0xaa, 0x7d, 0xb2, 0xf4, 0xa3, 0xff, 0xe0, 0xe9, 0x62, 0x18, 0xf6, 0xb9, 0x2c, 0xde, 0x32}
	tests := []struct {
		name   string
		fields []Field
		want   []taxonomy.DataType
	}{
		{"android", []Field{{Path: "1.1", Kind: KindBytes, Bytes: []byte{0}}, varint("1.2", 1602345678), text("1.3", "A7f3e2d1c0b9a8e\x00"),
			varint("1.4", 0x28001737), text("1.5", "android-29"), varint("1.6", 0)}, all},
		{"ios raw device id", []Field{varint("1.2", 1602345678), {Path: "1.3", Kind: KindBytes, Bytes: iosID},
			varint("1.4", 0x18002a30), text("1.5", "iPhone iOS16.5")}, all},
		{"ios hex device id, iOS16.5", []Field{varint("2.1.2", 987654321), text("2.1.3", "49aa7db2f4a3ffe0e96218f6b92cde32"),
			varint("2.1.4", 0x18002a30), text("2.1.5", "iOS16.5")}, all},
		{"ios uuid device id, iPhone OS", []Field{varint("1.2", 987654321), text("1.3", "5F2E3C1A-9B7D-4E11-8C2A-0D3B6E9F1A24"),
			varint("1.4", 0x18002a30), text("1.5", "iPhone OS 16.5")}, all},
		{"ios without a device id: uin and version", []Field{varint("1.2", 987654321), {Path: "1.3", Kind: KindBytes, Bytes: nil},
			varint("1.4", 0x18002a30), text("1.5", "iPad iOS17.0")}, []taxonomy.DataType{taxonomy.AccountID, taxonomy.ClientVersion, taxonomy.OSVersion}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(Request{ReqType: 12345, URI: "/cgi-bin/micromsg-bin/somethingnew"}, tt.fields)
			for _, dt := range tt.want {
				if !has(got, dt) {
					t.Errorf("missing %s: %+v", dt, got)
				}
			}
		})
	}
	// An OS string alone, or with fields that are not ids, is no BaseRequest.
	got := c.Classify(Request{}, []Field{varint("1.2", 7), text("1.3", "hello"), varint("1.4", 3), text("1.5", "iOS16.5")})
	if has(got, taxonomy.AccountID) || has(got, taxonomy.ClientVersion) || has(got, taxonomy.DeviceID) {
		t.Fatalf("not a BaseRequest: %+v", got)
	}
}

func TestRulesByIDOrPath(t *testing.T) {
	c := New(Options{})
	msg := []Field{text("2.1.1", "wxid_abcdefgh1234"), text("2.2", "see you at 8"), text("2.4", "1690000000")}
	for _, req := range []Request{
		{URI: "/cgi-bin/micromsg-bin/newsendmsg", ReqType: 522},
		{URI: "/cgi-bin/micromsg-bin/newsendmsgv2", ReqType: 522}, // renamed by a later client, id kept
		{URI: "/cgi-bin/micromsg-bin/newsendmsg"},                 // id unknown
		{ReqType: 522}, // path unknown
	} {
		got := c.Classify(req, msg)
		if !has(got, taxonomy.MessageContent) || !has(got, taxonomy.ContactsSocialGraph) || !has(got, taxonomy.ActivityTimestamps) {
			t.Errorf("%+v: %+v", req, got)
		}
	}
	// Neither the id nor the path: the endpoint rule stays silent.
	if got := c.Classify(Request{URI: "/cgi-bin/micromsg-bin/other", ReqType: 9999}, msg); has(got, taxonomy.MessageContent) {
		t.Errorf("rule fired without its endpoint: %+v", got)
	}
}

func TestAccountsAndContacts(t *testing.T) {
	c := New(Options{})
	// A user name sent as the other party is a contact.
	got := c.Classify(Request{}, []Field{text("2.toUserName", "wxid_peer00001234"), text("2.members", "123456789@chatroom")})
	n := 0
	for _, f := range got {
		if f.DataType == taxonomy.ContactsSocialGraph {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("want 2 contacts: %+v", got)
	}
	// The uin in a plain-HTTP newgetdns query, with the client and carrier.
	got = c.Classify(Request{URI: "/cgi-bin/micromsg-bin/newgetdns"}, []Field{
		text("uin", "1602345678"), text("clientversion", "671103232"), text("scene", "0"),
		text("devicetype", "android-34"), text("mccmnc", "46000")})
	for _, dt := range []taxonomy.DataType{taxonomy.AccountID, taxonomy.ClientVersion, taxonomy.OSVersion, taxonomy.CellCarrier} {
		if !has(got, dt) {
			t.Errorf("newgetdns: missing %s: %+v", dt, got)
		}
	}
	// An empty or zero uin says nothing.
	if got := c.Classify(Request{}, []Field{text("uin", "0"), text("mccmnc", "")}); has(got, taxonomy.AccountID) || has(got, taxonomy.CellCarrier) {
		t.Errorf("placeholders: %+v", got)
	}
}

func TestBehaviourDetectors(t *testing.T) {
	c := New(Options{})
	rl := func(path, s string) Field { return inReport(text(path, s)) }
	q := func(path, s string) Field {
		return Field{Path: path, Kind: KindText, Text: s, Chain: []string{"string", "report_line", "string", "query", "string"}}
	}
	tests := []struct {
		name   string
		req    Request
		fields []Field
		want   []taxonomy.DataType
		not    []taxonomy.DataType
	}{
		// UI events.
		{"click in a kv line", Request{}, []Field{rl("4.4.2.$3", "click")}, []taxonomy.DataType{taxonomy.UIEvents}, nil},
		{"exposure report keys", Request{}, []Field{q("4.4.2.$6.isexpose", "1"), q("4.4.2.$6.clickid", "201114-1684415170448-7277")}, []taxonomy.DataType{taxonomy.UIEvents}, nil},
		{"a click id that is the tap's time", Request{}, []Field{q("19.baseInfo.clickId", "1684415183666")}, []taxonomy.DataType{taxonomy.UIEvents, taxonomy.ActivityTimestamps}, nil},
		{"a click id holding the tap's time", Request{}, []Field{q("1.log_buffer.$13.clickId", "1928636848212416597-1681405683412-4710098717")}, []taxonomy.DataType{taxonomy.UIEvents, taxonomy.ActivityTimestamps}, nil},
		{"a clicked document's id is no time", Request{}, []Field{num("1.data.click_doc_id", "3244507158")}, []taxonomy.DataType{taxonomy.UIEvents}, []taxonomy.DataType{taxonomy.ActivityTimestamps}},
		{"a Mini Program's data call is not a UI event", Request{URI: "/cgi-bin/mmbiz-bin/js-operatewxdata"}, []Field{q("3.api_name", "webapi_getwxabusinessconfig")}, nil, []taxonomy.DataType{taxonomy.UIEvents}},
		{"red dot and tab", Request{}, []Field{num("4.4.2.$22.redDot", "1"), num("4.4.2.$22.tabId", "2")}, []taxonomy.DataType{taxonomy.UIEvents}, nil},
		{"search click report", Request{}, []Field{num("1.data.click_box_pos", "3"), text("1.data.click_doc_title", "weather")}, []taxonomy.DataType{taxonomy.UIEvents}, nil},
		{"switchTab navigation", Request{}, []Field{rl("4.$14", "switchTab")}, []taxonomy.DataType{taxonomy.UIEvents}, nil},
		{"screen name", Request{}, []Field{rl("4.4.2.$1", "ChattingUI")}, []taxonomy.DataType{taxonomy.UIEvents}, nil},
		{"touched view path", Request{}, []Field{rl("4.4.2.$5", "RelativeLayout|ChatFooter$3|FrameLayout|LinearLayout")}, []taxonomy.DataType{taxonomy.UIEvents}, nil},
		{"click time is a time, not an event", Request{}, []Field{num("2.clickTime", "0")}, nil, []taxonomy.DataType{taxonomy.UIEvents}},
		{"a class name outside a report", Request{}, []Field{text("3", "LauncherUI")}, nil, []taxonomy.DataType{taxonomy.UIEvents}},
		{"a plain word in a report", Request{}, []Field{rl("4.$2", "clickable")}, nil, []taxonomy.DataType{taxonomy.UIEvents}},
		// Diagnostics.
		{"java stack frame", Request{}, []Field{rl("4.$9", "at com.tencent.mm.ui.LauncherUI.onCreate(LauncherUI.java:812)")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"native frame", Request{}, []Field{text("2.stack", "java.lang.Thread.sleep(Native Method)")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"kotlin frame", Request{}, []Field{text("5", "\tat a.b.C.d(C.kt:3)")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"js error with frames", Request{}, []Field{rl("4.$5", "TypeError: Cannot read property 'x' of undefined    @ e (<anonymous>:1:200)")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"anr record", Request{}, []Field{rl("4.4.2.$2", "bg anr")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"crash record", Request{}, []Field{rl("4.4.2.$5", "crash-1")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"exit record", Request{}, []Field{num("4.4.2.$8.exittype", "5")}, []taxonomy.DataType{taxonomy.Diagnostics}, nil},
		{"api results are not diagnostics", Request{}, []Field{text("2.7.errMsg", "getLocation:fail auth deny"), text("2.8.errMsg", "accessSync:fail no such file or directory")},
			[]taxonomy.DataType{taxonomy.UIEvents}, []taxonomy.DataType{taxonomy.Diagnostics}},
		{"the word at in a sentence", Request{}, []Field{text("2.2", "meet at home(ok)")}, nil, []taxonomy.DataType{taxonomy.Diagnostics}},
		// Wi-Fi.
		{"ssid without bssid in a report line", Request{}, []Field{rl("4.4.2.$2", "AndroidWifi"), rl("4.4.2.$3", "49.51.89.236")}, []taxonomy.DataType{taxonomy.WiFi}, nil},
		{"quoted ssid", Request{}, []Field{rl("4.$6", `"Cafe Nero Guest"`)}, []taxonomy.DataType{taxonomy.WiFi}, nil},
		{"router default name", Request{}, []Field{rl("4.$6", "TP-LINK_5G_3A1F")}, []taxonomy.DataType{taxonomy.WiFi}, nil},
		{"ssid under a name", Request{}, []Field{text("2.data.wifiSSID", "Home Network")}, []taxonomy.DataType{taxonomy.WiFi}, nil},
		{"network type is not a network", Request{}, []Field{rl("4.$6", "wifi"), rl("4.$7", "WIFI")}, nil, []taxonomy.DataType{taxonomy.WiFi}},
		{"api names mentioning wifi", Request{}, []Field{rl("4.$6", "getWifiList"), rl("4.$7", "wifi_only")}, nil, []taxonomy.DataType{taxonomy.WiFi}},
		{"unknown ssid placeholder", Request{}, []Field{text("2.ssid", "<unknown ssid>"), rl("4.$6", `"<unknown ssid>"`)}, nil, []taxonomy.DataType{taxonomy.WiFi}},
		// Search.
		{"query of a search url", Request{}, []Field{text("4.$1.$url", "https://m.example.com/search"), text("4.$1.q", "train tickets")}, []taxonomy.DataType{taxonomy.SearchQuery}, nil},
		{"top-level text of a search request, no session key", Request{URI: "/cgi-bin/mmsearch-bin/newsearch"}, []Field{text("2", "weather shanghai")}, []taxonomy.DataType{taxonomy.SearchQuery}, nil},
		{"q outside search", Request{}, []Field{text("4.$1.$url", "https://m.example.com/items"), text("4.$1.q", "train tickets")}, nil, []taxonomy.DataType{taxonomy.SearchQuery}},
		// Device model.
		{"manufacturer-model", Request{}, []Field{text("3.2", "Xiaomi-Mi 11")}, []taxonomy.DataType{taxonomy.DeviceModel}, nil},
		{"model codes", Request{}, []Field{rl("4.$2", "SM-G9910"), rl("4.$3", "PGT-AN10"), rl("4.$4", "iPhone14,2")}, []taxonomy.DataType{taxonomy.DeviceModel}, nil},
		{"brand names alone and words are not models", Request{}, []Field{rl("4.$2", "google"), rl("4.$3", "Apple pie"), rl("4.$4", "SM-1")}, nil, []taxonomy.DataType{taxonomy.DeviceModel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(tt.req, tt.fields)
			for _, dt := range tt.want {
				if !has(got, dt) {
					t.Errorf("missing %s: %+v", dt, got)
				}
			}
			for _, dt := range tt.not {
				if has(got, dt) {
					t.Errorf("unexpected %s: %+v", dt, got)
				}
			}
		})
	}
}

func TestMessageStructures(t *testing.T) {
	c := New(Options{})
	// A chat message moved under a new field of an unknown request.
	got := c.Classify(Request{URI: "/cgi-bin/micromsg-bin/sendmsgnew", ReqType: 77777}, []Field{
		varint("1", 1), text("7.1.1", "wxid_peer00001234"), text("7.2", "lunch at noon?"), varint("7.3", 1), varint("7.4", 1690000000), varint("7.5", 474693490)})
	for _, dt := range []taxonomy.DataType{taxonomy.MessageContent, taxonomy.ContactsSocialGraph, taxonomy.ActivityTimestamps} {
		if !has(got, dt) {
			t.Errorf("chat message: missing %s: %+v", dt, got)
		}
	}
	// An image message by its shape.
	got = c.Classify(Request{ReqType: 88888}, []Field{
		text("1", "aupimg_3215b25c7c7a4315_1681406177558"), text("2", "wxid_me0000001234"), text("3", "wxid_peer00001234"),
		varint("4", 114), text("16", "77245fb28953c1b2dbcdcb13065105c1")})
	if !has(got, taxonomy.ImageMediaMetadata) || !has(got, taxonomy.ActivityTimestamps) {
		t.Errorf("image message: %+v", got)
	}
	// Look-alikes: a config {1 {1 name}, 2 text, 3 flag, 4 version number}.
	got = c.Classify(Request{}, []Field{text("5.1.1", "default_cfg"), text("5.2", "on"), varint("5.3", 1), varint("5.4", 20230101)})
	if has(got, taxonomy.MessageContent) {
		t.Errorf("config read as a message: %+v", got)
	}
}

func TestSelfNotify(t *testing.T) {
	c := New(Options{})
	base := []Field{varint("1.2", 1602345678), text("1.3", "A7f3e2d1c0b9a8e\x00"), varint("1.4", 0x28001737), text("1.5", "android-32")}
	got := c.Classify(Request{ReqType: 424242}, append(base, varint("2", 1), text("3", "wxid_me0000001234"), text("4", "wxid_me0000001234")))
	found := false
	for _, f := range got {
		found = found || f.Rule == SelfNotifyRule && f.Value == "wxid_me0000001234"
	}
	if !found {
		t.Errorf("self notification not recognised: %+v", got)
	}
	got = c.Classify(Request{ReqType: 424242}, append(base, text("3", "wxid_me0000001234"), text("4", "wxid_peer0000abcd")))
	for _, f := range got {
		if f.Rule == SelfNotifyRule {
			t.Errorf("from and to differ: %+v", f)
		}
	}
}
