// This file builds the plaintext request and response payloads of the
// scenarios: protobuf messages shaped like the real ones (PROTOCOL.md,
// section 6), with JSON, XML, query strings and comma-separated report
// lines inside string fields where WeChat puts them. Every personal value
// written is recorded as a Planted with its field path.

package synth

import (
	"bytes"
	"compress/flate"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// body is one built payload and the personal data planted in it.
type body struct {
	b       []byte
	planted planter
}

func ts(t time.Time) uint64 { return uint64(t.Unix()) }

func coord(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

// newgetdnsQuery is the plain-HTTP request target of a newgetdns lookup:
// the query string leaks uin, client version and device type in clear.
func newgetdnsQuery(id *Identity, r *rng) body {
	var p planter
	q := fmt.Sprintf("/cgi-bin/micromsg-bin/newgetdns?uin=%d&clientversion=%d&scene=0&net=1&md5=%s&devicetype=%s&lan=%s&sigver=2",
		id.Uin, id.ClientVersion, r.hex(32), id.DeviceType(), id.Language)
	p.s(DataAccountID, "?uin", strconv.FormatUint(uint64(id.Uin), 10))
	p.s(DataClientVersion, "?clientversion", strconv.FormatUint(uint64(id.ClientVersion), 10))
	p.s(DataOSVersion, "?devicetype", id.DeviceType())
	p.s(DataNetworkType, "?net", "net=1")
	p.s(DataLanguageLocale, "?lan", id.Language)
	return body{b: []byte(q), planted: p}
}

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// newgetdnsResponse is the deflate-compressed XML host table.
func newgetdnsResponse(r *rng) []byte {
	var x strings.Builder
	x.WriteString(`<dns><domainlist>`)
	for _, h := range []string{"sgshort.wechat.com", "sglong.wechat.com", "dns.weixin.qq.com", "szextshort.weixin.qq.com"} {
		fmt.Fprintf(&x, `<domain name="%s" timeout="1800"><ip>%d.%d.%d.%d</ip></domain>`, h, 101, r.between(32, 91), r.between(0, 255), r.between(1, 254))
	}
	x.WriteString(`</domainlist></dns>`)
	var buf bytes.Buffer
	w := flateWriters.Get().(*flate.Writer)
	w.Reset(&buf)
	w.Write([]byte(x.String()))
	w.Close()
	flateWriters.Put(w)
	return buf.Bytes()
}

// autoAuthRequest is the secautoauth request: BaseRequest, the login
// ticket, and the device description WeChat sends at every login.
func autoAuthRequest(id *Identity, r *rng, now time.Time) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p))
	ticket := r.hex(48)
	m = m.msg(2, pb(nil).varint(1, uint64(id.Uin)).str(2, ticket))
	p.s(DataSessionToken, "2.2", ticket)
	dev := pb(nil).
		str(1, id.Manufacturer).
		str(2, id.Model).
		str(3, id.AndroidRel).
		str(4, id.Hardware).
		str(5, id.Language).
		str(6, id.Timezone).
		str(7, id.Carrier).
		varint(8, ts(now))
	p.s(DataDeviceHardware, "3.1", id.Manufacturer)
	p.s(DataDeviceModel, "3.2", id.Model)
	p.s(DataOSVersion, "3.3", id.AndroidRel)
	p.s(DataDeviceHardware, "3.4", id.Hardware)
	p.s(DataLanguageLocale, "3.5", id.Language)
	p.s(DataTimezone, "3.6", id.Timezone)
	p.s(DataCellCarrier, "3.7", id.Carrier)
	m = m.msg(3, dev)
	// The Android device fingerprint string, as the real request carries it.
	fp := fmt.Sprintf("%s/%s/%s:%s/%s/%d:user/release-keys", id.Manufacturer, strings.ReplaceAll(id.Model, " ", "_"), id.Hardware, id.AndroidRel, "TQ3A."+r.hex(6), r.between(1000000, 9999999))
	m = m.str(4, fp)
	p.s(DataSystemSoftware, "4", fp)
	return body{b: m}.with(p)
}

func (b body) with(p planter) body { b.planted = p; return b }

// genericResponse is a small BaseResponse {ret 0} plus an opaque blob.
func genericResponse(r *rng, extra int) []byte {
	m := pb(nil).msg(1, pb(nil).varint(1, 0).msg(2, pb(nil).str(1, "")))
	if extra > 0 {
		m = m.bytes(2, r.bytes(extra))
	}
	return m
}

// identifyRequest is the Longlink cmd 205 identify/sync check, sent without
// inner encryption.
func identifyRequest(id *Identity, r *rng) body {
	var p planter
	m := pb(nil).varint(1, uint64(id.Uin)).bytes(2, r.bytes(16)).varint(3, 1)
	p.u(DataAccountID, "1", uint64(id.Uin))
	return body{b: m, planted: p}
}

// newsyncRequest is the Longlink newsync (algo 13 AES-GCM).
func newsyncRequest(id *Identity, r *rng) body {
	var p planter
	m := pb(nil).msg(1, pb(nil).varint(1, 7).varint(2, 262151)).
		varint(2, 3).
		bytes(3, r.bytes(24)).
		varint(4, 1).
		str(5, id.DeviceType()).
		varint(6, 0)
	p.s(DataOSVersion, "5", id.DeviceType())
	return body{b: m, planted: p}
}

// newsyncResponse carries an incoming text message from a contact.
func newsyncResponse(id *Identity, r *rng, now time.Time) []byte {
	msg := pb(nil).
		msg(1, pb(nil).str(1, pick(r, id.Contacts))).
		msg(2, pb(nil).str(1, id.Wxid)).
		varint(3, 1).
		msg(4, pb(nil).str(1, pick(r, messageTexts))).
		varint(5, ts(now))
	return pb(nil).varint(1, 0).msg(2, pb(nil).varint(1, 1).msg(2, pb(nil).varint(1, 5).bytes(2, msg))).varint(3, 1)
}

// fcmRegRequest registers the push token (androidfcmreg).
func fcmRegRequest(id *Identity) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, id.PushToken).varint(3, 1)
	p.s(DataPushToken, "2", id.PushToken)
	return body{b: m, planted: p}
}

// cdnDNSRequest asks for CDN hosts (getcdndns); it names the client IP.
func cdnDNSRequest(id *Identity) body {
	var p planter
	ip := fmt.Sprintf("%d.%d.%d.%d", id.ClientIP[0], id.ClientIP[1], id.ClientIP[2], id.ClientIP[3])
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, ip).varint(3, 0)
	p.s(DataIPAddress, "2", ip)
	return body{b: m, planted: p}
}

// kvLine is one client report line "logid,v1,v2,..." as newreportkvcomm
// and rtkvreport carry them.
type kvLine struct {
	logID  uint64
	values []string
}

func (k kvLine) String() string { return strings.Join(k.values, ",") }

// kvReport builds a newreportkvcomm/rtkvreport body: field 2 repeats
// {1 logid, 2 "v1,v2,...", 3 time}. plants maps a column (1-based) of a
// line index to its planted data.
type kvPlant struct {
	line, col int
	typ       string
}

func kvReport(id *Identity, lines []kvLine, plants []kvPlant, now time.Time) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p))
	var list pb
	for _, l := range lines {
		list = list.msg(1, pb(nil).varint(1, l.logID).str(2, l.String()).varint(3, ts(now)))
	}
	m = m.msg(2, list).varint(3, uint64(len(lines)))
	for _, k := range plants {
		// Field 2 holds one message whose field 1 repeats; the line index
		// is the repetition, so the path names the column only.
		p.s(k.typ, fmt.Sprintf("2.1.2:%d", k.col), lines[k.line].values[k.col-1])
	}
	return body{b: m, planted: p}
}

// startupReport is the kv report of a startup: network, Wi-Fi and device
// diagnostics.
func startupReport(id *Identity, r *rng, now time.Time) body {
	lines := []kvLine{
		{11098, []string{"1", "wifi", id.SSID, id.BSSID, id.Carrier}},
		{15817, []string{id.Manufacturer, id.Model, id.AndroidRel, strconv.Itoa(r.between(2000, 12000)), "arm64-v8a"}},
		{13780, []string{"crash=0", "anr=0", strconv.Itoa(r.between(300, 3000)) + "ms", "coldstart"}},
	}
	return kvReport(id, lines, []kvPlant{
		{0, 2, DataNetworkType}, {0, 3, DataWifi}, {0, 4, DataWifi}, {0, 5, DataCellCarrier},
		{1, 2, DataDeviceModel}, {2, 3, DataDiagnostics},
	}, now)
}

// sendMsgRequest is newsendmsg with one text message.
func sendMsgRequest(id *Identity, to, text string, r *rng, now time.Time) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).varint(2, 1)
	msg := pb(nil).
		msg(1, pb(nil).str(1, to)).
		str(2, text).
		varint(3, 1).
		varint(4, ts(now)).
		varint(5, uint64(r.Uint32())).
		str(6, "<msgsource><sec_msg_node><alnum>0</alnum></sec_msg_node></msgsource>")
	m = m.msg(3, msg)
	p.s(DataContacts, "3.1.1", to)
	p.s(DataMessageContent, "3.2", text)
	p.u(DataActivityTimes, "3.4", ts(now))
	return body{b: m, planted: p}
}

// uploadImgRequest is uploadmsgimg with a JPEG whose EXIF names the camera.
func uploadImgRequest(id *Identity, to string, r *rng, now time.Time) body {
	var p planter
	exif := fmt.Sprintf("Exif\x00\x00Make=%s;Model=%s;DateTime=%s", id.Manufacturer, id.Model, now.UTC().Format("2006:01:02 15:04:05"))
	img := append([]byte{0xff, 0xd8, 0xff, 0xe1}, exif...)
	img = append(img, r.bytes(r.between(1500, 4000))...)
	img = append(img, 0xff, 0xd9)
	w, h := r.between(800, 4000), r.between(600, 3000)
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).
		str(2, fmt.Sprintf("%s_%d", to, now.UnixMilli())).
		msg(3, pb(nil).str(1, id.Wxid)).
		msg(4, pb(nil).str(1, to)).
		varint(5, uint64(len(img))).
		varint(6, 0).
		varint(7, uint64(len(img))).
		msg(8, pb(nil).varint(1, uint64(len(img))).bytes(2, img)).
		varint(9, uint64(w)).varint(10, uint64(h))
	p.s(DataContacts, "4.1", to)
	p.s(DataImageMetadata, "8.2", "Model="+id.Model)
	p.u(DataImageMetadata, "9", uint64(w))
	return body{b: m, planted: p}
}

// snsPostRequest is mmsnspost: the TimelineObject XML with text and the
// city the user tagged.
func snsPostRequest(id *Identity, text string, r *rng, now time.Time) body {
	var p planter
	xml := fmt.Sprintf(`<TimelineObject><id>%d</id><username>%s</username><createTime>%d</createTime><contentDesc>%s</contentDesc><location poiName="%s" city="%s" /><ContentObject><contentStyle>2</contentStyle></ContentObject></TimelineObject>`,
		r.Uint64()>>1, id.Wxid, ts(now), text, id.City, id.City)
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).
		msg(2, pb(nil).varint(1, uint64(len(xml))).bytes(2, []byte(xml))).
		varint(3, 0).
		str(4, fmt.Sprintf("%s_%d", id.Wxid, now.UnixMilli()))
	p.s(DataMomentsContent, "2.2", text)
	p.s(DataCoarseLocation, "2.2", id.City)
	p.s(DataProfileName, "2.2", id.Wxid)
	return body{b: m, planted: p}
}

// snsCommentRequest is mmsnscomment on a friend's post.
func snsCommentRequest(id *Identity, owner, text string, r *rng, now time.Time) body {
	var p planter
	c := pb(nil).varint(1, r.Uint64()>>1).str(2, owner).varint(3, 2).
		msg(4, pb(nil).str(1, id.Wxid).str(2, owner).str(3, text).varint(4, ts(now)))
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).msg(2, c).str(3, fmt.Sprintf("%s_%d", id.Wxid, now.UnixMilli()))
	p.s(DataContacts, "2.2", owner)
	p.s(DataMomentsContent, "2.4.3", text)
	return body{b: m, planted: p}
}

// snsTimelineRequest is mmsnstimeline: browsing Moments.
func snsTimelineRequest(id *Identity, r *rng) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, r.hex(32)).varint(3, r.Uint64()>>1).varint(4, 0)
	return body{b: m, planted: p}
}

// jsLoginRequest is js-login: a Mini Program asks for the user's code.
func jsLoginRequest(id *Identity, mp MiniProgram) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 1001, &p)).str(2, mp.AppID).varint(3, 0).str(4, "").varint(5, 1001)
	p.s(DataMiniProgramID, "2", mp.AppID)
	return body{b: m, planted: p}
}

func jsLoginResponse(id *Identity, r *rng) []byte {
	return pb(nil).msg(1, pb(nil).varint(1, 0)).str(2, r.hex(32)).str(3, id.OpenID)
}

// wxaAttrSyncRequest is batchwxaattrsync for the opened Mini Programs.
func wxaAttrSyncRequest(id *Identity, mps []MiniProgram) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p))
	for _, mp := range mps {
		m = m.msg(2, pb(nil).str(1, mp.Username).str(2, mp.AppID).varint(3, 0))
	}
	p.s(DataMiniProgramID, "2.2", mps[0].AppID)
	return body{b: m, planted: p}
}

// jsonString renders a flat JSON object with keys in the given order (the
// order matters for byte-exact determinism).
func jsonString(kv ...any) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:", kv[i])
		switch v := kv[i+1].(type) {
		case string:
			b.WriteString(strconv.Quote(v))
		case float64:
			b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			b.WriteString(strconv.FormatBool(v))
		case rawJSON:
			b.WriteString(string(v))
		default:
			fmt.Fprint(&b, v)
		}
	}
	b.WriteByte('}')
	return b.String()
}

type rawJSON string

// pageEvent is one Mini Program page view.
type pageEvent struct {
	page  string
	event int // 1 enter, 2 leave, 3 tap
	stay  int // ms
	at    time.Time
}

// usageReport is wxaappidkeybatchreport (1009): per event appid, page
// path, event type, stay time and timestamp, each event a JSON string.
func usageReport(id *Identity, mp MiniProgram, events []pageEvent) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p))
	var list pb
	for i, e := range events {
		j := jsonString("appid", mp.AppID, "page_path", e.page, "event_type", e.event, "staytime", e.stay, "timestamp", e.at.UnixMilli(), "scene", 1001)
		list = list.msg(1, pb(nil).varint(1, 15605).str(2, j))
		if i == 0 {
			p.s(DataMiniProgramID, "2.1.2:appid", mp.AppID)
			p.s(DataMiniProgramPage, "2.1.2:page_path", e.page)
			p.s(DataUsageStatistics, "2.1.2:staytime", fmt.Sprintf(`"staytime":%d`, e.stay))
			p.s(DataActivityTimes, "2.1.2:timestamp", strconv.FormatInt(e.at.UnixMilli(), 10))
		}
	}
	m = m.msg(2, list)
	return body{b: m, planted: p}
}

// routeRequest is wxartrappsvr/route (2946): a Mini Program's JS API call
// relayed to WeChat, the call's data as a JSON string.
func routeRequest(id *Identity, mp MiniProgram, api, data string) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 1001, &p)).str(2, mp.AppID).str(3, api).str(4, data)
	p.s(DataMiniProgramID, "2", mp.AppID)
	return body{b: m, planted: p}
}

// mpKVReport is the newreportkvcomm batch of Mini Program page visits.
func mpKVReport(id *Identity, mp MiniProgram, events []pageEvent, now time.Time) body {
	var lines []kvLine
	for _, e := range events {
		lines = append(lines, kvLine{13536, []string{mp.AppID, url.QueryEscape(e.page), strconv.Itoa(e.event), strconv.Itoa(e.stay), strconv.FormatInt(e.at.Unix(), 10)}})
	}
	return kvReport(id, lines, []kvPlant{
		{0, 1, DataMiniProgramID}, {0, 2, DataMiniProgramPage}, {0, 3, DataUIEvents}, {0, 5, DataActivityTimes},
	}, now)
}

// poiListRequest is getpoilist: the coordinates as a float pair, a double
// pair and decimal strings, all in one request as the real one does.
func poiListRequest(id *Identity, r *rng) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).
		f32(2, float32(id.Lon)).f32(3, float32(id.Lat)).
		msg(4, pb(nil).f64(1, id.Lon).f64(2, id.Lat).varint(3, uint64(r.between(5, 65)))).
		str(5, coord(id.Lat)+","+coord(id.Lon)).
		varint(6, 0).str(7, "")
	p.f32(DataLocation, "2", id.Lon)
	p.f32(DataLocation, "3", id.Lat)
	p.f64(DataLocation, "4.1", id.Lon)
	p.f64(DataLocation, "4.2", id.Lat)
	p.s(DataLocation, "5", coord(id.Lat)+","+coord(id.Lon))
	return body{b: m, planted: p}
}

// searchRequest is mmwebsearch with the query and the user's location.
func searchRequest(id *Identity, query string, withLoc bool, r *rng, now time.Time) body {
	var p planter
	ext := jsonString("query", query, "scene", 20, "sessionId", r.hex(16), "timestamp", now.UnixMilli())
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, query).varint(3, 20).str(4, ext)
	p.s(DataSearchQuery, "2", query)
	p.s(DataSearchQuery, "4:query", query)
	if withLoc {
		m = m.msg(5, pb(nil).f64(1, id.Lon).f64(2, id.Lat))
		p.f64(DataLocation, "5.1", id.Lon)
		p.f64(DataLocation, "5.2", id.Lat)
	}
	return body{b: m, planted: p}
}

// finderInitRequest is finderinit (Channels).
func finderInitRequest(id *Identity, r *rng) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, "").varint(3, 1).str(4, r.hex(32))
	return body{b: m, planted: p}
}

// finderStreamRequest fetches the Channels feed with the location as a
// float pair and the client status JSON.
func finderStreamRequest(id *Identity, r *rng, now time.Time) body {
	var p planter
	status := jsonString("network", "wifi", "ssid", id.SSID, "latitude", id.Lat, "longitude", id.Lon, "clientTime", now.UnixMilli())
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).
		str(2, "finder_"+r.hex(16)).
		bytes(3, r.bytes(24)).
		msg(4, pb(nil).f32(1, float32(id.Lon)).f32(2, float32(id.Lat))).
		str(5, status).varint(6, 1)
	p.f32(DataLocation, "4.1", id.Lon)
	p.f32(DataLocation, "4.2", id.Lat)
	p.s(DataLocation, "5:latitude", strconv.FormatFloat(id.Lat, 'f', -1, 64))
	p.s(DataWifi, "5:ssid", id.SSID)
	return body{b: m, planted: p}
}

// finderStatsReport reports watched Channels videos with watch times.
func finderStatsReport(id *Identity, feeds []uint64, r *rng, now time.Time) body {
	var lines []kvLine
	for _, f := range feeds {
		lines = append(lines, kvLine{19990, []string{strconv.FormatUint(f, 10), strconv.Itoa(r.between(1000, 60000)), "play", strconv.FormatInt(now.Unix(), 10)}})
	}
	b := kvReport(id, lines, []kvPlant{{0, 1, DataContentBrowsing}, {0, 2, DataUsageStatistics}}, now)
	return b
}

// feedResponse lists some Channels feed ids.
func feedResponse(feeds []uint64, r *rng) []byte {
	m := pb(nil).msg(1, pb(nil).varint(1, 0))
	for _, f := range feeds {
		m = m.msg(2, pb(nil).varint(1, f).str(2, "v_"+r.hex(20)).bytes(3, r.bytes(64)))
	}
	return m
}
