package classify

// Meaning-based detectors (see TAXONOMY.md): what a value is, read from the
// name it is sent under (a JSON, query or XML key, or the name half of a
// protobuf key/value pair), from its own shape (a user agent, a build
// fingerprint, a MIME type, an exception), or from its neighbours (a user
// id in a request URL to a Mini Program developer's host). None of them
// depends on a particular request line or value: they are what lets the
// analyzer read reports it has never seen.

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode"

	"github.com/wxaudit/wxaudit/internal/lazyre"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// normName folds a key for lookup: lower case, without '-', '_', '@', '.'
// and spaces, so "device-name", "deviceName" and "device_name" are one.
func normName(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_' || c == '@' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// reKVName is the name half of a protobuf key/value pair: an identifier.
var reKVName = lazyre.New(`^[A-Za-z][A-Za-z0-9_.-]{1,47}$`)

// leafNames returns, per leaf, the name its value is sent under: the
// last path component when it is a key (not a field number or report
// position), else the name of a protobuf key/value pair {1 name, 2 value}
// or {1 name, 2 number, 3 text} (prconfig, websearch key/values). Pairs
// repeat under one path, so a name holds for the following siblings until
// the next name.
func leafNames(fields []Field) []string {
	names := make([]string, len(fields))
	cur := map[string]string{} // parent path → current pair name
	for i := range fields {
		f := &fields[i]
		k := f.key()
		if _, isNum := f.num(); !isNum && k != "" && k != "#text" && k != "$url" {
			names[i] = strings.TrimPrefix(k, "@")
			continue
		}
		p := f.parent()
		if f.Container {
			continue
		}
		if k == "1" && f.Kind == KindText && reKVName.MatchString(f.Text) && strings.Contains(f.Path, ".") {
			cur[p] = f.Text
			continue
		}
		if k == "1" {
			delete(cur, p)
			continue
		}
		if n, ok := cur[p]; ok && (k == "2" || k == "3") {
			names[i] = n
		}
	}
	return names
}

// keyMeaning is what a value means when sent under a name.
type keyMeaning struct {
	dataType   taxonomy.DataType
	confidence taxonomy.Confidence
	reason     string
	// accept checks the value; nil accepts any non-empty value that is not
	// a placeholder (null, undefined, 0, -1).
	accept func(s string) bool
}

var (
	reUnixSec    = lazyre.New(`^1[4-9]\d{8}$`)
	reUnixMs     = lazyre.New(`^1[4-9]\d{11}$`)
	reHex32      = lazyre.New(`^[0-9a-fA-F]{32}$`)
	reNumber     = lazyre.New(`^-?\d+(\.\d+)?$`)
	reIDValue    = lazyre.New(`^[A-Za-z0-9_-]{4,64}$`)
	reUA         = lazyre.New(`^(Mozilla/\d\.\d|Dalvik/\d[\d.]*) \((Linux|iPhone|iPad|Windows|Macintosh)`)
	reUAModel    = lazyre.New(`Android [\d.]+; (?:[a-z]{2}[-_][a-zA-Z]{2}; )?([^;()]+?) Build/`)
	reUASoftware = lazyre.New(`Build/|Chrome/\d|Dalvik/\d|AppleWebKit/\d|XWEB/\d|MMWEBSDK/|Version/\d|Mobile/[0-9A-Z]`)
	reUAOS       = lazyre.New(`\((Linux; (U; )?)?Android \d{1,2}(\.\d+)*[;)]|\((iPhone|iPad|iPod)[^)]*\bOS \d{1,2}(_\d+)*\b`)
	reBuildFP    = lazyre.New(`^([\w.-]+)/([\w.-]+)/([\w.-]+):[\d.]+/[\w.-]+/[\w.-]+:(user|userdebug|eng)/[\w,.-]+$`)
	rePkg        = lazyre.New(`^(com|org|net|cn|io|me|tv|de|jp)\.[a-z0-9_]+(\.[a-z0-9_]+)+$`)
	reException  = lazyre.New(`\b(java|javax|android|kotlin|okhttp3|libcore)(\.[A-Za-z0-9_$]+)*\.[A-Z][A-Za-z0-9_$]*(Exception|Error)\b|\bnet::ERR_[A-Z_]+\b|[Hh]ostname [^ ]+ not verified|\bSSLHandshakeException\b`).
			Needing("Exception", "Error", "net::ERR_", " not verified")
	rePagePath  = lazyre.New(`^/?(pages|page|subpackages?|packages?)/[A-Za-z0-9_%/-]+(\.html)?(\?\S*)?$`)
	reMIMEMedia = lazyre.New(`^(image|video|audio)/[a-z0-9.+-]{2,32}$`)
	reGhBiz     = lazyre.New(`^gh_[0-9a-f]{12}$`)
	reArticleID = lazyre.New(`^\d{6,12}$`)
	reDigit     = lazyre.New(`\d`)
	// A uin is a 32-bit number; small ones are flags or counts.
	reUin           = lazyre.New(`^[1-9]\d{5,9}$`)
	reClientVersion = lazyre.New(`^([1-9]\d{8,9}|0x[0-9a-fA-F]{8}|\d{1,2}\.\d{1,2}\.\d{1,3}(\.\d+)?)$`)
	reMCCMNC        = lazyre.New(`^[2-7]\d{4,5}$`)
)

// placeholder reports values that carry nothing.
func placeholder(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "null", "undefined", "nil", "none", "unknown", "-1", "false", "[]", "{}":
		return true
	}
	return strings.Trim(s, "0.") == ""
}

// humanText accepts text a person typed: it has a letter, is not a number,
// an id, a URL or a placeholder.
func humanText(s string) bool {
	if placeholder(s) || len(s) > 256 || strings.Contains(s, "://") || reNumber.MatchString(s) {
		return false
	}
	letter := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			letter = true
			break
		}
	}
	return letter && !reHex32.MatchString(s)
}

func unixTime(s string) bool { return reUnixSec.MatchString(s) || reUnixMs.MatchString(s) }

// keyMeanings maps normalised names to meanings. Names are those client
// code uses for the thing itself; ambiguous names ("id", "type", "time")
// are left out.
var keyMeanings = map[string]keyMeaning{}

func addKeys(m keyMeaning, names ...string) {
	for _, n := range names {
		keyMeanings[n] = m
	}
}

func init() {
	addKeys(keyMeaning{taxonomy.DeviceModel, taxonomy.High, "the value is sent under a name for the device's model, brand or manufacturer",
		func(s string) bool { return !placeholder(s) && !reNumber.MatchString(s) && len(s) <= 64 }},
		"devicename", "devicebrand", "devicemodel", "phonemodel", "devicemanufacturer", "manufacturer", "brand", "model", "mobilemodel",
		"phonebrand", "mobilebrand", "productmodel")
	// Screen sizes are hardware; a window's (windowWidth, windowHeight of
	// a Mini Program or web view) is the size the interface was given,
	// which changes with split screen, keyboards and orientation.
	addKeys(keyMeaning{taxonomy.DeviceHardware, taxonomy.High, "the value is sent under a name for a hardware property (CPU, ABI, 64-bit support, screen size, memory)", nil},
		"cpumodel", "cpuabi", "abi", "support64bit", "deviceis64bitruntime", "screenwidth", "screenheight",
		"realscreenheight", "realscreenwidth", "screendensity", "pixelratio",
		"devicememory", "totalmemory", "totalram", "cpucores", "cpucount", "devlevel", "devicelevel")
	addKeys(keyMeaning{taxonomy.SystemSoftware, taxonomy.High, "the value is sent under a name for the system software: build fingerprint, runtime (ART) or WebView version, OS build, other installed apps",
		func(s string) bool { return !placeholder(s) }},
		"fingerprint", "buildfingerprint", "artversion", "webviewversion", "xwebversion", "chromeversion",
		"osbuild", "buildid", "romversion", "kernelversion", "launcher", "launcherpackage", "installedapps")
	addKeys(keyMeaning{taxonomy.SearchQuery, taxonomy.High, "the value is sent under a name for the text the user searched for", humanText},
		"query", "returnquery", "searchquery", "searchword", "searchkey", "keyword", "keywords", "querystr", "sugquery", "relatedsug")
	addKeys(keyMeaning{taxonomy.Diagnostics, taxonomy.High, "the value is sent under a name for network timing or quality (connection phases, round-trip time): a performance diagnostic",
		func(s string) bool { return reNumber.MatchString(s) && !placeholder(s) }},
		"rtt", "connectstart", "connectend", "sslconnectionstart", "sslconnectionend", "domainlookupstart",
		"domainlookupend", "httprttestimate", "transportrttestimate", "throughputkbps", "dnscost", "conncost", "tlscost")
	addKeys(keyMeaning{taxonomy.Diagnostics, taxonomy.High, "an error message that reports a failure of the app or the network is a diagnostic",
		func(s string) bool {
			l := strings.ToLower(s)
			// "<api>:fail …" is an API call's outcome (auth deny, no data), not
			// a fault: behaviourDetect reads it as the call (TAXONOMY.md).
			if reAPIResult.MatchString(s) {
				return false
			}
			return strings.Contains(l, "fail") || strings.Contains(l, "error") || strings.Contains(l, "exception")
		}},
		"errmsg", "errormsg", "errormessage", "exception", "stacktrace", "crashstack")
	addKeys(keyMeaning{taxonomy.IPAddress, taxonomy.High, "an IP address sent under a name for the client's own (local, WAN or client) address",
		func(s string) bool {
			a, err := netip.ParseAddr(strings.Trim(s, "[]"))
			return err == nil && !a.IsLoopback() && !a.IsUnspecified()
		}},
		"clientip", "localip", "wanip", "myip", "userip", "srcip", "deviceip", "publicip", "clientaddr", "localaddr")
	addKeys(keyMeaning{taxonomy.ContentBrowsing, taxonomy.Medium, "a Channels video file key in a media URL the client reports names the video that was played",
		func(s string) bool { return len(s) >= 16 && !placeholder(s) }},
		"encfilekey")
	addKeys(keyMeaning{taxonomy.ActivityTimestamps, taxonomy.Medium, "a unix time under a name for when the user acted (a click, an event, a message's creation)", unixTime},
		"clicktime", "clienttimestamp", "eventtime", "actiontime", "exposetime", "createtime", "entertime", "leavetime", "starttime", "endtime",
		// the same moments under other spellings: when a message was sent, a
		// page visited or opened, an item shared, a search made
		"clicktimestamp", "eventtimestamp", "clickts", "eventts", "actionts", "sendtime", "visittime", "viewtime",
		"opentime", "sharetime", "searchtime", "operatetime", "behaviortime")
	// Plain-HTTP requests (newgetdns) and web views state the account and
	// client in their query strings: "uin=…&clientversion=…&devicetype=…".
	addKeys(keyMeaning{taxonomy.AccountID, taxonomy.High, "the value is sent under the name of the account's uin",
		func(s string) bool { return reUin.MatchString(s) }},
		"uin", "useruin", "myuin")
	addKeys(keyMeaning{taxonomy.ClientVersion, taxonomy.High, "the value is sent under a name for the WeChat client's version",
		func(s string) bool { return reClientVersion.MatchString(s) && !placeholder(s) }},
		"clientversion", "clientver", "wechatversion")
	addKeys(keyMeaning{taxonomy.OSVersion, taxonomy.High, "the value is sent under a name for the device type, which names the OS and its version",
		func(s string) bool { return reOS.MatchString(s) }},
		"devicetype")
	addKeys(keyMeaning{taxonomy.CellCarrier, taxonomy.High, "an MCC-MNC code names the mobile carrier (country and operator)",
		func(s string) bool { return reMCCMNC.MatchString(s) }},
		"mccmnc", "simoperator", "networkoperator")
	addKeys(keyMeaning{taxonomy.UsageStatistics, taxonomy.High, "the value is sent under a name for how long the user stayed or watched",
		func(s string) bool { return reNumber.MatchString(s) && !placeholder(s) }},
		"staytime", "staytimerelative", "realshowtime", "playduration", "duration", "costtime", "startcosttime")
}

// nameDetect applies keyMeanings to one leaf under a name.
func nameDetect(f *Field, name, s string, emit func(Finding)) {
	m, ok := keyMeanings[normName(name)]
	if !ok {
		return
	}
	if m.accept == nil {
		if placeholder(s) {
			return
		}
	} else if !m.accept(s) {
		return
	}
	emit(Finding{DataType: m.dataType, Confidence: m.confidence, FieldPath: f.Path, Value: excerpt(s),
		Rule: "detector:key-" + normName(name), Reason: m.reason + " (" + name + ")"})
}

// shapeDetect recognises values by their own form.
func shapeDetect(f *Field, s string, emit func(Finding)) {
	out := func(t taxonomy.DataType, c taxonomy.Confidence, id, reason string) {
		emit(Finding{DataType: t, Confidence: c, FieldPath: f.Path, Value: excerpt(s), Rule: "detector:" + id, Reason: reason})
	}
	if len(s) <= 1024 && reUA.MatchString(s) {
		// Only a user agent that names software beyond the OS version (a
		// build id, a runtime, a WebView or browser engine version) says
		// something about the system's software; "Mozilla/5.0 (Linux;
		// Android 12)" alone is the OS version.
		if reUASoftware.MatchString(s) {
			out(taxonomy.SystemSoftware, taxonomy.High, "user-agent",
				"a user agent string names the OS build, the WebView/Chrome and runtime versions: system software")
		}
		if m := reUAModel.FindStringSubmatch(s); m != nil && !placeholder(m[1]) {
			out(taxonomy.DeviceModel, taxonomy.High, "user-agent-model", "an Android user agent names the device model before \"Build/\"")
		}
		if reUAOS.MatchString(s) {
			out(taxonomy.OSVersion, taxonomy.High, "user-agent-os", "a user agent names the OS and its version (\"Android 12\", \"iPhone OS 16_5\"); see TAXONOMY.md, Decisions")
		}
	}
	if len(s) <= 256 && reBuildFP.MatchString(s) {
		out(taxonomy.SystemSoftware, taxonomy.High, "build-fingerprint",
			"an Android build fingerprint (brand/product/device:release/build id/incremental:type/keys) identifies the exact system build")
		out(taxonomy.DeviceModel, taxonomy.High, "build-fingerprint-model", "an Android build fingerprint begins with the brand, product and device names")
	}
	if len(s) <= 128 && rePkg.MatchString(s) && !strings.HasPrefix(s, "com.tencent.") {
		out(taxonomy.SystemSoftware, taxonomy.Medium, "package-name",
			"an Android package name of another app (a launcher, an installed app) describes the software on the device")
	}
	if len(s) <= 4096 && reException.MatchString(s) {
		out(taxonomy.Diagnostics, taxonomy.High, "exception-text", "an exception, network error or TLS failure text is an error diagnostic")
	}
	if len(s) <= 512 && rePagePath.MatchString(s) && (f.inChain("report_line") || f.inChain("json") || f.inChain("query")) {
		out(taxonomy.MiniProgramPagePath, taxonomy.Medium, "page-route",
			`a "pages/…" route (optionally ".html") in a report is the Mini Program page the user was on`)
	}
	if reMIMEMedia.MatchString(s) && f.inChain("report_line") {
		out(taxonomy.ImageMediaMetadata, taxonomy.Medium, "media-mime",
			"a media MIME type in a report line describes a photo or video the user sent or uploaded (its line carries its size and dimensions)")
	}
}

// mediaContext reports whether a path runs through an element describing
// media (an image, a photo, a thumbnail, a video).
func mediaContext(path string) bool {
	for _, c := range strings.Split(strings.ToLower(path), ".") {
		c = strings.TrimPrefix(c, "@")
		switch c {
		case "media", "medialist", "image", "img", "imginfo", "imageinfo", "thumb", "video", "videoinfo", "photo", "pic", "picture":
			return true
		}
	}
	return false
}

// mediaKeys name properties of a media file.
var mediaKeys = map[string]bool{
	"md5": true, "width": true, "height": true, "totalsize": true, "filesize": true, "size": true,
	"duration": false, "videoduration": true, "mimetype": true, "filemd5": true,
}

// tencentHost reports hosts operated by WeChat/Tencent, whose query
// parameters are first-party.
func tencentHost(h string) bool {
	h = strings.ToLower(h)
	for _, d := range []string{"qq.com", "wechat.com", "weixin.com", "tencent.com", "weixinbridge.com", "servicewechat.com", "qpic.cn", "gtimg.cn", "wechatpay.com", "tenpay.com"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// peerNames are names under which a user name is someone else: the other
// party of a message, a member of a chat room, a contact.
var peerNames = map[string]bool{
	"to": true, "touser": true, "tousername": true, "touserid": true, "talker": true, "receiver": true,
	"recipient": true, "member": true, "members": true, "memberlist": true, "chatroommember": true,
	"friend": true, "friends": true, "contact": true, "contacts": true, "contactusername": true, "peer": true,
}

// reChatroom is a chat room's user name.
var reChatroom = lazyre.New(`^\d{5,20}@chatroom$`)

// reSearchSessionID is a search session id as WeChat's search sends it: a
// negative signed 64-bit decimal. Unsigned ids (message, feed, object ids)
// are never negative.
var reSearchSessionID = lazyre.New(`^-[1-9]\d{14,18}$`)

// searchURL reports a request URL to a search page or API.
func searchURL(u string) bool { return u != "" && strings.Contains(strings.ToLower(u), "search") }

// thirdPartyUIDName matches query keys that hold a user id.
var thirdPartyUIDName = lazyre.New(`^(?i:[a-z]{0,12}uid|[a-z]{0,12}user_?id|openid|unionid|customerid|memberid)$`)

// detectInContext runs the name, shape and context detectors over a request.
// ids are values already known to be identifiers in this request (the
// uin), which number-shaped detectors must not read as times.
func detectInContext(req Request, fields []Field, ids map[string]bool, emit func(Finding)) {
	names := leafNames(fields)
	keyedPairs(fields, names, emit)
	searchReq := strings.Contains(strings.ToLower(req.URI), "search")
	// Per parent: the request URL of a query container, keys present.
	urlOf := map[string]string{}
	keysOf := map[string]map[string]bool{}
	searchSession := false
	for i := range fields {
		f := &fields[i]
		p := f.parent()
		if f.key() == "$url" {
			urlOf[p] = f.Text
		}
		// Search requests without a path or names (Mini Program and web
		// search in a pathless request type) still carry their session
		// ids: WeChat's search session and search ids are signed 64-bit
		// numbers sent as text ("sessionId=-7532554687032179594" in the
		// websearch page URL), at the top level of the request.
		if p == "" && f.Kind == KindText && reSearchSessionID.MatchString(f.Text) {
			searchSession = true
		}
		if names[i] != "" {
			if keysOf[p] == nil {
				keysOf[p] = map[string]bool{}
			}
			n := normName(names[i])
			keysOf[p][n] = true
			if strings.HasSuffix(n, "searchid") || n == "searchsessionid" {
				searchSession = true
			}
		}
	}
	for i := range fields {
		f := &fields[i]
		if f.Container {
			continue
		}
		s, ok := leafText(f)
		if !ok {
			if vs, nonEmpty := valueText(f); nonEmpty && f.Kind != KindBytes && f.Kind != KindOpaque {
				s, ok = vs, true
			}
		}
		if f.Kind == KindOpaque && len(f.Bytes) >= 32 {
			emit(Finding{DataType: taxonomy.OpaqueEncryptedBlob, Confidence: taxonomy.Medium, FieldPath: f.Path, Value: f.display(),
				Rule: "detector:opaque", Reason: "high-entropy bytes with no protobuf, text or compression structure: encrypted (or compressed) content the client sends that cannot be read"})
		}
		if !ok {
			continue
		}
		if names[i] != "" {
			nameDetect(f, names[i], s, emit)
			n := normName(names[i])
			if mediaKeys[n] && mediaContext(f.parent()) && !placeholder(s) && (n != "md5" && n != "filemd5" || reHex32.MatchString(s)) {
				emit(Finding{DataType: taxonomy.ImageMediaMetadata, Confidence: taxonomy.High, FieldPath: f.Path, Value: excerpt(s),
					Rule: "detector:media-" + n, Reason: "a media element's " + names[i] + ": the size, dimensions or hash of a photo or video the user sent"})
			}
			if u := urlOf[f.parent()]; u != "" && thirdPartyUIDName.MatchString(names[i]) && reIDValue.MatchString(s) && !placeholder(s) {
				if pu, err := url.Parse(u); err == nil && pu.Host != "" && !tencentHost(pu.Hostname()) {
					emit(Finding{DataType: taxonomy.ThirdPartyUserID, Confidence: taxonomy.High, FieldPath: f.Path, Value: excerpt(s),
						Rule: "detector:third-party-uid", Reason: "a user id parameter (" + names[i] + ") in a request URL to a third party's host (" + pu.Hostname() + "): the user's account at that developer"})
				}
			}
			if n == "feedid" && !placeholder(s) {
				sib := keysOf[f.parent()]
				if sib["realshowtime"] || sib["staytime"] || sib["staytimerelative"] || sib["exposetime"] || sib["playduration"] {
					emit(Finding{DataType: taxonomy.ContentBrowsing, Confidence: taxonomy.High, FieldPath: f.Path, Value: excerpt(s),
						Rule: "detector:feed-exposure", Reason: "a feed item id reported with how long it was shown: which post or video the user looked at"})
				}
			}
			if (n == "mid" || n == "appmsgid") && reNumber.MatchString(s) && keysOf[f.parent()]["biz"] {
				emit(Finding{DataType: taxonomy.ContentBrowsing, Confidence: taxonomy.Medium, FieldPath: f.Path, Value: excerpt(s),
					Rule: "detector:article-ref", Reason: "an official-account article reference (__biz account + mid article id) the client reports: which article the user opened"})
			}
		}
		if names[i] != "" && peerNames[normName(names[i])] && (reWxid.MatchString(s) || reChatroom.MatchString(s)) {
			emit(Finding{DataType: taxonomy.ContactsSocialGraph, Confidence: taxonomy.High, FieldPath: f.Path, Value: excerpt(s),
				Rule: "detector:peer-username", Reason: "a user name sent under a name for the other party (" + names[i] + "): a contact or chat room of the user"})
		}
		shapeDetect(f, s, emit)
		behaviourDetect(f, names[i], s, searchReq || searchURL(urlOf[f.parent()]), emit)
		// An official account (gh_… without @app) followed in a report line
		// by a numeric article id is an article view record.
		if f.inChain("report_line") && reGhBiz.MatchString(s) && i+1 < len(fields) {
			n := &fields[i+1]
			if ns, ok := leafText(n); ok && n.parent() == f.parent() && reArticleID.MatchString(ns) {
				emit(Finding{DataType: taxonomy.ContentBrowsing, Confidence: taxonomy.Medium, FieldPath: f.Path + "+" + n.key(), Value: s + "," + ns,
					Rule: "detector:article-view", Reason: "a report line naming an official account followed by an article id records which article the user read"})
			}
		}
		// Report lines record events; a unix time in one is when an event
		// happened.
		if f.inChain("report_line") && !f.inChain("json") && !f.inChain("query") && unixTime(s) && !ids[s] {
			emit(Finding{DataType: taxonomy.ActivityTimestamps, Confidence: taxonomy.Low, FieldPath: f.Path, Value: s,
				Rule: "detector:report-line-time", Reason: "a client report line records an event; a unix time in it is when the event happened"})
		}
		if q, key, ok := searchInURL(f, s); ok {
			emit(Finding{DataType: taxonomy.SearchQuery, Confidence: taxonomy.Medium, FieldPath: f.Path, Value: excerpt(q),
				Rule: "detector:search-url-query", Reason: "the URL of a search page carries what the user searched for in its query string (" + key + "=)"})
		}
		// A search request carries its session id and, as a top-level
		// text field, what the user typed.
		if (searchSession || searchReq) && !strings.Contains(f.Path, ".") && f.Kind == KindText && humanText(s) && !languages[s] && !reLocale.MatchString(s) && !(reIDValue.MatchString(s) && reDigit.MatchString(s)) {
			emit(Finding{DataType: taxonomy.SearchQuery, Confidence: taxonomy.Medium, FieldPath: f.Path, Value: excerpt(s),
				Rule: "detector:search-request-text", Reason: "a search request (by its path or its search session id) sends the text the user typed as a top-level text field"})
		}
	}
}
