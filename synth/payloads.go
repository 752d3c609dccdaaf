// This file builds the plaintext request and response payloads of the
// scenarios: protobuf messages shaped like the real ones (doc/protocol.md,
// section 6), with JSON, XML, query strings and comma-separated report
// lines inside string fields where WeChat puts them. Every personal value
// written is recorded as a Planted with its field path.

package synth

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wxaudit/wxaudit/taxonomy"
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
func newgetdnsQuery(id *identity, r *rng) body {
	var p planter
	q := fmt.Sprintf("/cgi-bin/micromsg-bin/newgetdns?uin=%d&clientversion=%d&scene=0&net=1&md5=%s&devicetype=%s&lan=%s&sigver=2",
		id.Uin, id.ClientVersion, r.hex(32), id.DeviceType(), id.Language)
	p.s(taxonomy.AccountID, "?uin", strconv.FormatUint(uint64(id.Uin), 10))
	p.s(taxonomy.ClientVersion, "?clientversion", strconv.FormatUint(uint64(id.ClientVersion), 10))
	p.s(taxonomy.OSVersion, "?devicetype", id.DeviceType())
	p.s(taxonomy.NetworkType, "?net", "net=1")
	p.s(taxonomy.LanguageLocale, "?lan", id.Language)
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

// autoAuthRequest is the secautoauth request, laid out as the real one
// (fixtures autoauth-request.json): field 1 carries the client's ECDH key,
// field 2 the request proper {1 BaseRequest, 3 the auto-auth key issued at
// the previous login, 4 IMEI placeholder, 5 softtype XML, 7 device name,
// 8 client check id, 9 "Manufacturer-Model", 10 deviceinfo XML, 11
// language, 17 package name}.
func autoAuthRequest(id *identity, r *rng, now time.Time) body {
	var p planter
	key := pb(nil).varint(1, 415).msg(2, pb(nil).varint(1, 57).bytes(2, r.bytes(57)))
	// The auto-auth key: the login ticket the server issued, sent back to
	// log in again without a password.
	ticket := r.bytes(r.between(200, 320))
	authKey := pb(nil).varint(1, uint64(len(ticket)+40)).msg(2,
		pb(nil).msg(1, pb(nil).varint(1, 57).bytes(2, r.bytes(57))).
			msg(2, pb(nil).varint(1, uint64(len(ticket))).msg(2,
				pb(nil).varint(1, uint64(r.between(10000, 99999))).bytes(2, ticket).varint(3, ts(now)))))
	p.hex(taxonomy.SessionToken, "2.3.2.2.2.2", ticket)
	devName := fmt.Sprintf("%s-%s", id.Manufacturer, strings.ReplaceAll(id.Model, " ", "_"))
	build := buildID(r)
	incr := strconv.Itoa(r.between(1000000, 99999999))
	display := fmt.Sprintf("%s-user %s %s %s release-keys", strings.ReplaceAll(strings.ToLower(id.Model), " ", "_"), id.AndroidRel, build, incr)
	devInfo := fmt.Sprintf(`<deviceinfo><MANUFACTURER name="%s"><MODEL name="%s"><VERSION_RELEASE name="%s"><VERSION_INCREMENTAL name="%s"><DISPLAY name="%s"></DISPLAY></VERSION_INCREMENTAL></VERSION_RELEASE></MODEL></MANUFACTURER></deviceinfo>`,
		id.Manufacturer, id.Model, id.AndroidRel, incr, display)
	req := pb(nil).msg(1, baseRequest(id, 0, &p)).
		msg(2, pb(nil).msg(1, pb(nil).varint(1, 0))).
		msg(3, authKey).
		str(4, "").
		str(5, "<softtype><lctmoc>0</lctmoc><level>1</level></softtype>").
		varint(6, 0).
		str(7, strings.ToUpper(r.hex(16))+"_"+strings.ToUpper(r.hex(13))).
		str(8, r.hex(32)).
		str(9, devName).
		str(10, devInfo).
		str(11, id.Language).
		varint(13, 0).
		str(17, "com.tencent.mm")
	p.s(taxonomy.DeviceModel, "2.9", devName)
	p.s(taxonomy.DeviceModel, "2.10:deviceinfo.MANUFACTURER.@name", id.Manufacturer)
	p.s(taxonomy.DeviceModel, "2.10:deviceinfo.MANUFACTURER.MODEL.@name", id.Model)
	p.s(taxonomy.OSVersion, "2.10:deviceinfo.MANUFACTURER.MODEL.VERSION_RELEASE.@name", id.AndroidRel)
	p.s(taxonomy.OSVersion, "2.10:deviceinfo.MANUFACTURER.MODEL.VERSION_RELEASE.VERSION_INCREMENTAL.@name", incr)
	p.s(taxonomy.OSVersion, "2.10:deviceinfo.MANUFACTURER.MODEL.VERSION_RELEASE.VERSION_INCREMENTAL.DISPLAY.@name", display)
	p.s(taxonomy.LanguageLocale, "2.11", id.Language)
	m := pb(nil).msg(1, key).msg(2, req)
	return body{b: m}.with(p)
}

// buildID is an Android build id such as "TQ3A.230805.001".
func buildID(r *rng) string {
	return fmt.Sprintf("%c%c%d%c.%02d%02d%02d.%03d", 'P'+rune(r.IntN(5)), 'A'+rune(r.IntN(26)), r.IntN(4)+1, 'A'+rune(r.IntN(3)),
		r.between(19, 24), r.between(1, 12), r.between(1, 28), r.between(1, 40))
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
func identifyRequest(id *identity, r *rng) body {
	var p planter
	m := pb(nil).varint(1, uint64(id.Uin)).bytes(2, r.bytes(16)).varint(3, 1)
	p.u(taxonomy.AccountID, "1", uint64(id.Uin))
	return body{b: m, planted: p}
}

// newsyncRequest is the Longlink newsync (algo 13 AES-GCM).
func newsyncRequest(id *identity, r *rng) body {
	var p planter
	m := pb(nil).msg(1, pb(nil).varint(1, 7).varint(2, 262151)).
		varint(2, 3).
		bytes(3, r.bytes(24)).
		varint(4, 1).
		str(5, id.DeviceType()).
		varint(6, 0)
	p.s(taxonomy.OSVersion, "5", id.DeviceType())
	return body{b: m, planted: p}
}

// newsyncResponse carries an incoming text message from a contact.
func newsyncResponse(id *identity, r *rng, now time.Time) []byte {
	msg := pb(nil).
		msg(1, pb(nil).str(1, pick(r, id.Contacts))).
		msg(2, pb(nil).str(1, id.Wxid)).
		varint(3, 1).
		msg(4, pb(nil).str(1, pick(r, messageTexts))).
		varint(5, ts(now))
	return pb(nil).varint(1, 0).msg(2, pb(nil).varint(1, 1).msg(2, pb(nil).varint(1, 5).bytes(2, msg))).varint(3, 1)
}

// fcmRegRequest registers the push token (androidfcmreg).
func fcmRegRequest(id *identity) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, id.PushToken).varint(3, 1)
	p.s(taxonomy.PushToken, "2", id.PushToken)
	return body{b: m, planted: p}
}

// cdnDNSRequest asks for CDN hosts (getcdndns): {1 BaseRequest, 2 "",
// 3 1}, as in the real logs.
func cdnDNSRequest(id *identity) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, "").varint(3, 1)
	return body{b: m, planted: p}
}

// netInfoRequest is getnetworkinfo: {1 BaseRequest, 2 32 hex digits, 3 a
// base64 blob, 4 the address the client believes it has}.
func netInfoRequest(id *identity, r *rng) body {
	var p planter
	ip := fmt.Sprintf("%d.%d.%d.%d", id.ClientIP[0], id.ClientIP[1], id.ClientIP[2], id.ClientIP[3])
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, r.hex(32)).str(3, base64.StdEncoding.EncodeToString(r.bytes(60))).str(4, ip)
	p.s(taxonomy.IPAddress, "4", ip)
	return body{b: m, planted: p}
}

// kvLine is one client report line "logid,v1,v2,..." as newreportkvcomm
// and rtkvreport carry them.
type kvLine struct {
	logID  uint64
	values []string
}

func (k kvLine) String() string { return strings.Join(k.values, ",") }

// kvReport builds a newreportkvcomm body as the real client lays it out
// (no BaseRequest): {1 100, 2 count, 3 3, 4 batch {1 uin, 7 "android-
// <brand>", 2 client version, 3 1, 4 repeated item {1 logid, 2 "v1,v2,…",
// 3 time, 4 report time, 5 1, 6 0}, 5 model+ABI, 6 brand, 8 API level,
// 9 language, 10 0}}. plants maps a column (1-based) of a line to its
// planted data. Every batch carries the report header (account, client
// version, device), the report lines (usage statistics) and their times.
type kvPlant struct {
	line, col int
	typ       taxonomy.DataType
}

func kvReport(id *identity, lines []kvLine, plants []kvPlant, now time.Time) body {
	var p planter
	brand := strings.ToLower(id.Manufacturer)
	batch := pb(nil).varint(1, uint64(id.Uin)).
		str(7, "android-"+id.Manufacturer).
		varint(2, uint64(id.ClientVersion)).
		varint(3, 1)
	for _, l := range lines {
		batch = batch.msg(4, pb(nil).varint(1, l.logID).str(2, l.String()).varint(3, ts(now)).varint(4, ts(now)).varint(5, 1).varint(6, 0))
	}
	modelABI := strings.ReplaceAll(id.Model, " ", "_") + "arm64-v8a"
	batch = batch.str(5, modelABI).str(6, brand).str(8, strconv.Itoa(id.AndroidAPI)).str(9, id.Language).varint(10, 0)
	m := pb(nil).varint(1, 100).varint(2, uint64(len(lines))).varint(3, 3).msg(4, batch)
	p.u(taxonomy.AccountID, "4.1", uint64(id.Uin))
	p.u(taxonomy.ClientVersion, "4.2", uint64(id.ClientVersion))
	p.s(taxonomy.DeviceModel, "4.5", modelABI)
	p.s(taxonomy.DeviceHardware, "4.5", modelABI)
	p.s(taxonomy.DeviceModel, "4.6", brand)
	p.s(taxonomy.OSVersion, "4.8", strconv.Itoa(id.AndroidAPI))
	p.s(taxonomy.LanguageLocale, "4.9", id.Language)
	p.s(taxonomy.UsageStatistics, "4.4.2", lines[0].String())
	p.u(taxonomy.ActivityTimestamps, "4.4.3", ts(now))
	for _, k := range plants {
		// Field 4.4 repeats; the line index is the repetition, so the
		// path names the column only.
		p.s(k.typ, fmt.Sprintf("4.4.2:%d", k.col), lines[k.line].values[k.col-1])
	}
	return body{b: m, planted: p}
}

// kvJSON makes a JSON object fit in one column of a report line: the real
// client writes the commas of JSON values in kv lines as semicolons.
func kvJSON(j string) string { return strings.ReplaceAll(j, ",", ";") }

// startupReport is the kv report of a startup: the Wi-Fi network, the
// cellular carrier (MCC-MNC, name, APN, as the real line does), app usage
// and launch diagnostics.
func startupReport(id *identity, r *rng, now time.Time) body {
	diag := kvJSON(jsonString("crashCount", 0, "anrCount", 0, "coldStartMs", r.between(300, 3000), "lowMemory", 0))
	lines := []kvLine{
		{11098, []string{"1", netWiFi, id.SSID, id.BSSID, "0"}},
		{10900, []string{strconv.FormatInt(now.Unix()-int64(r.between(3600, 86400)), 10), strconv.Itoa(r.between(100000, 9999999)), strconv.Itoa(r.between(100000, 9999999)),
			id.Carrier, strconv.Itoa(r.between(1, 20)), carrierName(id.Carrier), carrierAPN(id.Carrier)}},
		{13780, []string{"1", strconv.Itoa(r.between(1, 40)), strconv.Itoa(r.between(1000, 90000)), diag}},
		// The hot-patch status line names the system build (fingerprint)
		// and the runtime version, as the real client's does.
		{13778, []string{"258", "com.tencent.mm", kvJSON(jsonString("patch_client_version", id.ClientVersion,
			"art_version", 300000000+id.AndroidAPI*100000, "fingerprint", buildFingerprint(id)))}},
	}
	return kvReport(id, lines, []kvPlant{
		{0, 2, taxonomy.NetworkType}, {0, 3, taxonomy.WiFi}, {0, 4, taxonomy.WiFi},
		{1, 4, taxonomy.CellCarrier}, {1, 6, taxonomy.CellCarrier},
		{2, 4, taxonomy.Diagnostics},
		{3, 3, taxonomy.SystemSoftware},
	}, now)
}

// buildFingerprint is the device's Android build fingerprint
// (brand/product/device:release/build id/incremental:type/keys), derived
// from the identity so that it stays the same across runs of one phone.
func buildFingerprint(id *identity) string {
	dev := strings.ToLower(strings.ReplaceAll(id.Model, " ", "_"))
	return fmt.Sprintf("%s/%s/%s:%s/TQ%dA.%06d.001/%d:user/release-keys",
		strings.ToLower(id.Manufacturer), dev, dev, id.AndroidRel, id.AndroidAPI-30, 230000+int(id.Uin%10000), id.Uin%10000000)
}

// sendMsgRequest is newsendmsg as the real client sends it (no
// BaseRequest): {1 count, 2 message {1 {1 to-user}, 2 content, 3 type,
// 4 create time, 5 client message id}}.
func sendMsgRequest(id *identity, to, text string, r *rng, now time.Time) body {
	var p planter
	msg := pb(nil).
		msg(1, pb(nil).str(1, to)).
		str(2, text).
		varint(3, 1).
		varint(4, ts(now)).
		varint(5, uint64(r.Uint32()>>1))
	m := pb(nil).varint(1, 1).msg(2, msg)
	p.s(taxonomy.ContactsSocialGraph, "2.1.1", to)
	p.s(taxonomy.MessageContent, "2.2", text)
	p.u(taxonomy.ActivityTimestamps, "2.4", ts(now))
	return body{b: m, planted: p}
}

// uploadImgRequest is uploadmsgimg with a JPEG whose EXIF names the camera.
func uploadImgRequest(id *identity, to string, r *rng, now time.Time) body {
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
	p.s(taxonomy.ContactsSocialGraph, "4.1", to)
	p.s(taxonomy.ImageMediaMetadata, "8.2", "Model="+id.Model)
	p.u(taxonomy.ImageMediaMetadata, "9", uint64(w))
	return body{b: m, planted: p}
}

// snsPostRequest is mmsnspost: {1 BaseRequest, 2 {1 length, 2 the
// TimelineObject XML}} with the text and the place the user tagged.
func snsPostRequest(id *identity, text string, r *rng, now time.Time) body {
	var p planter
	xml := fmt.Sprintf(`<TimelineObject><id>0</id><username>%s</username><createTime>0</createTime><contentDescShowType>0</contentDescShowType><contentDescScene>0</contentDescScene><private>0</private><contentDesc>%s</contentDesc><contentattr>0</contentattr><sourceUserName></sourceUserName><sourceNickName></sourceNickName><statisticsData></statisticsData><location poiClassifyId="" poiName="" poiAddress="" poiClassifyType="0" city="%s"></location><ContentObject><contentStyle>2</contentStyle><contentSubStyle>0</contentSubStyle><title></title><description></description><contentUrl></contentUrl></ContentObject></TimelineObject>`,
		id.Wxid, text, id.City)
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).
		msg(2, pb(nil).varint(1, uint64(len(xml))).bytes(2, []byte(xml))).
		varint(3, 0).
		str(4, fmt.Sprintf("%s_%d", id.Wxid, now.UnixMilli()))
	p.s(taxonomy.MomentsContent, "2.2", text)
	p.s(taxonomy.CoarseLocation, "2.2:TimelineObject.location.@city", id.City)
	return body{b: m, planted: p}
}

// snsCommentRequest is mmsnscomment on a friend's post: {1 BaseRequest,
// 2 SnsActionGroup {1 post id, 2 parent comment id, 3 current action
// {1 from user, 2 to user, 3 from nickname, 4 to nickname, 5 type, 6
// source, 7 create time, 8 content}}, 3 client id}.
func snsCommentRequest(id *identity, owner, text string, r *rng, now time.Time) body {
	var p planter
	action := pb(nil).str(1, id.Wxid).str(2, owner).str(3, id.Nickname).str(4, "").
		varint(5, 2).varint(6, 0).varint(7, ts(now)).str(8, text)
	c := pb(nil).varint(1, r.Uint64()>>1).varint(2, 0).msg(3, action)
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).msg(2, c).str(3, fmt.Sprintf("%s_%d", id.Wxid, now.UnixMilli()))
	p.s(taxonomy.ContactsSocialGraph, "2.3.2", owner)
	p.s(taxonomy.ProfileName, "2.3.3", id.Nickname)
	p.u(taxonomy.ActivityTimestamps, "2.3.7", ts(now))
	p.s(taxonomy.MomentsContent, "2.3.8", text)
	return body{b: m, planted: p}
}

// snsTimelineRequest is mmsnstimeline: browsing Moments.
func snsTimelineRequest(id *identity, r *rng) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, r.hex(32)).varint(3, r.Uint64()>>1).varint(4, 0)
	return body{b: m, planted: p}
}

// jsLoginRequest is js-login: a Mini Program asks for the user's code.
// {1 BaseRequest, 2 appid, 4 1, 5 "", 6 "", 7 0, 8 {2 scene, 3 1}}.
func jsLoginRequest(id *identity, mp miniProgram) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).str(2, mp.AppID).varint(4, 1).str(5, "").str(6, "").varint(7, 0).
		msg(8, pb(nil).varint(2, 1001).varint(3, 1))
	p.s(taxonomy.MiniProgramID, "2", mp.AppID)
	return body{b: m, planted: p}
}

func jsLoginResponse(id *identity, r *rng) []byte {
	return pb(nil).msg(1, pb(nil).varint(1, 0)).str(2, r.hex(32)).str(3, id.OpenID)
}

// wxaAttrSyncRequest is batchwxaattrsync for the opened Mini Programs:
// {1 BaseRequest, 2 repeated {1 "gh_…@app", 2 ""}, 3 100}.
func wxaAttrSyncRequest(id *identity, mps []miniProgram) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p))
	for _, mp := range mps {
		m = m.msg(2, pb(nil).str(1, mp.Username+"@app").str(2, ""))
	}
	m = m.varint(3, 100)
	p.s(taxonomy.MiniProgramID, "2.1", mps[0].Username+"@app")
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
	// session is the Mini Program session's id (a query string).
	session string
}

// usageReport is wxaappidkeybatchreport (1009) laid out as the real one:
// {1 BaseRequest, 2 repeated event {1 2, 2 appid, 3 page path (.html),
// 4 0, 5 time, 6 0, 7 event JSON {eventID, data, page, version, uid,
// type}, 8 1, 9 session query string, 10 network type, 11 scene, 12 3}}.
func usageReport(id *identity, mp miniProgram, events []pageEvent, r *rng) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p))
	uid := r.hex(24)
	for i, e := range events {
		route := strings.SplitN(e.page, "?", 2)[0]
		j := jsonString("eventID", 1000+2*e.event+1, "data", rawJSON(jsonString("staytime", e.stay)), "page", route, "version", "2.24.1", "uid", uid, "type", 0)
		r.between(200, 3000) // the draw an earlier layout made here, kept so that later values stay as they were
		m = m.msg(2, pb(nil).varint(1, 2).str(2, mp.AppID).str(3, route+".html").varint(4, 0).varint(5, ts(e.at)).varint(6, 0).
			str(7, j).varint(8, 1).str(9, e.session).str(10, netWiFi).varint(11, 1001).varint(12, 3))
		if i == 0 {
			p.s(taxonomy.MiniProgramID, "2.2", mp.AppID)
			p.s(taxonomy.MiniProgramPagePath, "2.3", route+".html")
			p.u(taxonomy.ActivityTimestamps, "2.5", ts(e.at))
			p.s(taxonomy.UIEvents, "2.7", j)
			p.s(taxonomy.UsageStatistics, "2.7:data.staytime", strconv.Itoa(e.stay))
			p.s(taxonomy.NetworkType, "2.10", netWiFi)
		}
	}
	return body{b: m, planted: p}
}

// routeRequest is wxartrappsvr/route (2946) laid out as the real one:
// {1 BaseRequest, 2 {1 scene, 2 the Mini Program's realtime report JSON},
// 3 appid}. The JSON names the app, page, event and the device, with the
// event's own data in event_value.
func routeRequest(id *identity, mp miniProgram, page, event string, eventValue, session string, at time.Time, r *rng) body {
	var p planter
	brand := strings.ToLower(id.Manufacturer)
	r.between(500, 5000) // the draw an earlier layout made here, kept so that later values stay as they were
	j := jsonString("appid", mp.AppID, "app_state", 1, "appversion", "1.8.12", "enter_scene", 1001,
		"sessionid", session,
		"page_path", page, "referpagepath", "", "isentrance", 1, "event_time", at.UnixMilli(),
		"sdk_version", "2.24.7", "devicemodel", id.Model, "devicebrand", brand, "os_name", "android",
		"os_version", "Android "+id.AndroidRel, "language_version", id.Language, "networktype", netWiFi, // not a data type: the key WeChat uses
		"event_name", event, "event_value", rawJSON(eventValue), "unique_id", fmt.Sprintf("%d.%04d", at.UnixMilli(), r.IntN(10000)))
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).msg(2, pb(nil).varint(1, 1001).str(2, j)).str(3, mp.AppID)
	p.s(taxonomy.MiniProgramID, "3", mp.AppID)
	p.s(taxonomy.MiniProgramID, "2.2:appid", mp.AppID)
	p.s(taxonomy.MiniProgramPagePath, "2.2:page_path", page)
	p.s(taxonomy.UsageStatistics, "2.2", event)
	p.s(taxonomy.ActivityTimestamps, "2.2:event_time", strconv.FormatInt(at.UnixMilli(), 10))
	p.s(taxonomy.DeviceModel, "2.2:devicemodel", id.Model)
	p.s(taxonomy.DeviceModel, "2.2:devicebrand", brand)
	p.s(taxonomy.OSVersion, "2.2:os_version", "Android "+id.AndroidRel)
	p.s(taxonomy.LanguageLocale, "2.2:language_version", id.Language)
	p.s(taxonomy.NetworkType, "2.2:networktype", netWiFi)
	return body{b: m, planted: p}
}

// mpKVReport is the newreportkvcomm batch of Mini Program page visits: per
// page appid, version, event, page, network, stay time (ms) and time.
func mpKVReport(id *identity, mp miniProgram, events []pageEvent, now time.Time) body {
	var lines []kvLine
	for _, e := range events {
		lines = append(lines, kvLine{15496, []string{mp.AppID, "127", strconv.Itoa(e.event), "1001", url.QueryEscape(e.page), netWiFi, strconv.Itoa(e.stay), strconv.FormatInt(e.at.UnixMilli(), 10)}})
	}
	return kvReport(id, lines, []kvPlant{
		{0, 1, taxonomy.MiniProgramID}, {0, 5, taxonomy.MiniProgramPagePath}, {0, 6, taxonomy.NetworkType}, {0, 7, taxonomy.UsageStatistics},
	}, now)
}

// poiListRequest is getpoilist: the coordinates as a float pair, a double
// pair (longitude first) and a decimal string (latitude first), all in one
// request as the real one does, and sint32 micro-degrees (latitude first)
// in field 8.
func poiListRequest(id *identity, r *rng) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).
		f32(2, float32(id.Lon)).f32(3, float32(id.Lat)).
		msg(4, pb(nil).f64(1, id.Lon).f64(2, id.Lat).varint(3, uint64(r.between(5, 65)))).
		str(5, coord(id.Lat)+","+coord(id.Lon)).
		varint(6, 0).str(7, "").
		msg(8, pb(nil).varint(1, zigzag32(microdegrees(id.Lat))).varint(2, zigzag32(microdegrees(id.Lon))))
	p.pair("2", "3", encFloat32, lonFirst, id.Lat, id.Lon)
	p.pair("4.1", "4.2", encFloat64, lonFirst, id.Lat, id.Lon)
	p.textPair("5", id.Lat, id.Lon)
	p.pair("8.1", "8.2", encZigzag, latFirst, id.Lat, id.Lon)
	return body{b: m, planted: p}
}

// searchRequest is mmwebsearch laid out as the real request (type 719, no
// BaseRequest): {1 0, 2 query, 3 0, 4 business type, 5 template version,
// 6 {1 longitude, 2 latitude (float32), 3 accuracy} when the location is
// known, 8 scene, 11 search session id, 17 repeated {1 key, 2 0, 3 value}}.
func searchRequest(id *identity, query string, withLoc bool, r *rng, now time.Time) body {
	var p planter
	m := pb(nil).varint(1, 0).str(2, query).varint(3, 0).varint(4, 0).varint(5, 80009061)
	if withLoc {
		m = m.msg(6, pb(nil).f32(1, float32(id.Lon)).f32(2, float32(id.Lat)).varint(3, uint64(r.between(20, 300))).varint(6, 1))
		p.pair("6.1", "6.2", encFloat32, lonFirst, id.Lat, id.Lon)
	}
	m = m.varint(8, 201).str(9, "").varint(10, 1).str(11, strconv.FormatUint(r.Uint64()>>1, 10)).
		msg(17, pb(nil).str(1, "netType").varint(2, 0).str(3, netWiFi)).
		msg(17, pb(nil).str(1, "requestId").varint(2, 0).str(3, r.hex(8)+"-"+r.hex(4)+"-"+r.hex(4)+"-"+r.hex(4)+"-"+r.hex(12)))
	p.s(taxonomy.SearchQuery, "2", query)
	p.s(taxonomy.NetworkType, "17.3", netWiFi)
	return body{b: m, planted: p}
}

// finderInitRequest is finderinit (Channels): {1 BaseRequest, 2 {1 0,
// 2 ""}, 3 {1 0, 2 0, 4 build, 6 client time (ms), 7 4, 10 1}}.
func finderInitRequest(id *identity, r *rng, now time.Time) body {
	var p planter
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).msg(2, pb(nil).varint(1, 0).str(2, "")).
		msg(3, pb(nil).varint(1, 0).varint(2, 0).varint(4, uint64(r.between(50000, 60000))).varint(6, uint64(now.UnixMilli())).varint(7, 4).varint(10, 1))
	return body{b: m, planted: p}
}

// finderStreamRequest fetches the Channels feed with the location as a
// float pair and the client status JSON.
func finderStreamRequest(id *identity, r *rng, now time.Time) body {
	var p planter
	status := jsonString("network", netWiFi, "ssid", id.SSID, "latitude", id.Lat, "longitude", id.Lon, "clientTime", now.UnixMilli())
	m := pb(nil).msg(1, baseRequest(id, 0, &p)).
		str(2, "finder_"+r.hex(16)).
		bytes(3, r.bytes(24)).
		msg(4, pb(nil).f32(1, float32(id.Lon)).f32(2, float32(id.Lat))).
		str(5, status).varint(6, 1)
	p.pair("4.1", "4.2", encFloat32, lonFirst, id.Lat, id.Lon)
	p.s(taxonomy.Location, "5:latitude", strconv.FormatFloat(id.Lat, 'f', -1, 64))
	p.s(taxonomy.WiFi, "5:ssid", id.SSID)
	p.s(taxonomy.NetworkType, "5:network", netWiFi)
	return body{b: m, planted: p}
}

// finderStatsReport reports watched Channels videos: each kv line carries
// a JSON record of the video (feedId) and how long it played.
func finderStatsReport(id *identity, feeds []uint64, r *rng, now time.Time) body {
	var lines []kvLine
	for _, f := range feeds {
		rec := kvJSON(jsonString("feedId", strconv.FormatUint(f, 10), "playDuration", r.between(1000, 60000), "action", "play"))
		lines = append(lines, kvLine{19990, []string{"1", rec, strconv.FormatInt(now.Unix(), 10)}})
	}
	// The feedId with its play duration says which video was watched
	// (content_browsing, as the independent labels count the real feed
	// exposure lines) and for how long (usage_statistics).
	var plants []kvPlant
	for i := range lines {
		plants = append(plants, kvPlant{i, 2, taxonomy.ContentBrowsing}, kvPlant{i, 2, taxonomy.UsageStatistics})
	}
	return kvReport(id, lines, plants, now)
}

// feedResponse lists some Channels feed ids.
func feedResponse(feeds []uint64, r *rng) []byte {
	m := pb(nil).msg(1, pb(nil).varint(1, 0))
	for _, f := range feeds {
		m = m.msg(2, pb(nil).varint(1, f).str(2, "v_"+r.hex(20)).bytes(3, r.bytes(64)))
	}
	return m
}
