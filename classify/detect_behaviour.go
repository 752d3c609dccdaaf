package classify

// Detectors for what the user did and what went wrong, read from what
// values mean wherever they sit: UI events (clicks, exposures, tabs, red
// dots, screens, the view that was touched), runtime diagnostics (stack
// frames, JS errors, ANR and exit records), Wi-Fi names, search text and
// device models. None needs a particular endpoint or field path: kv
// report lines, JSON and query strings put them anywhere.

import (
	"strings"

	"github.com/wxaudit/wxaudit/internal/lazyre"
	"github.com/wxaudit/wxaudit/taxonomy"
)

var (
	// A Java/Kotlin stack frame, a native frame, or a JS engine frame.
	reStackFrame = lazyre.New(`\bat [\w$]+(\.[\w$<>]+)+\(([\w$-]+\.(java|kt)(:\d+)?|Native Method|Unknown Source(:\d+)?)\)|\(Native Method\)|\bat [\w$.<>]+ \([^()]*:\d+:\d+\)|@ [\w$.<>]+ \(<anonymous>`).
			Needing("at ", "(Native Method)", "(<anonymous>")
	// A JavaScript runtime error as engines print it.
	reJSError = lazyre.New(`\b(SyntaxError|TypeError|ReferenceError|RangeError|URIError|EvalError): \S`).Needing("Error: ")
	// ANR, crash and abnormal-exit records as report lines name them.
	reCrashWord = lazyre.New(`(?i)^(bg |fg )?(anr|crash(ed)?|native ?crash|java ?crash|tombstone|oom|out of memory|watchdog)([-_ :]\S*)?$`)
	// A Unix time in milliseconds (2014 to 2033), whole or as one
	// '-', '_' or ':' separated part of an id.
	reMillisInID = lazyre.New(`(^|[-_:])1[4-9]\d{11}($|[-_:])`)
	// A Mini Program API result: "<api>:ok", "<api>:fail …", "<api>:cancel".
	reAPIResult = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]{1,63}:(ok|fail|cancel)\b`)
	// A screen (Activity/Fragment) name, as report lines record page
	// enter and leave: "LauncherUI", "FTSMainUI", "SettingsActivity".
	reScreen = lazyre.New(`^([a-z][a-z0-9_]*\.)*[A-Z][A-Za-z0-9]{2,60}(UI|Activity|Fragment|UIFragment)$`)
	// The path of a touched view, outermost or innermost first:
	// "RelativeLayout|AppBrandLauncherRecentsList$4|FrameLayout|…".
	reViewPath = lazyre.New(`^[A-Za-z][\w$]*(Layout|View|List|Item|Bar|Button|Frame|UI|Group)[\w$]*(\|[A-Za-z][\w$]*){2,}$`).Needing("|")
	// Android's WifiInfo.getSSID() quotes the name.
	reQuotedSSID = lazyre.New(`^"[^"\x00-\x1f]{1,32}"$`)
	// Router default names and names that say what they are.
	reSSIDName = lazyre.New(`(?i)^([A-Za-z0-9]+[ _-]?)*(wi-?fi|wlan)([ _-]?[A-Za-z0-9]+)*$|^(TP-LINK|ChinaNet|CMCC|CU|MERCURY|FAST|Tenda|HUAWEI|Xiaomi|Redmi|NETGEAR|Linksys|dlink|D-Link|ASUS|Tenda|H3C|ZTE|PHICOMM|360WiFi|AndroidAP|DIRECT)[_-][\w-]{1,24}$|^AndroidWifi$`)
	// Manufacturer-model ("Google-sdk_gphone64_arm64", "Xiaomi-Mi 11": the
	// model part must hold a digit or '_', so "Apple pie" is not one), and
	// model codes whose shape only a handset has.
	reMakerModel = lazyre.New(`^(?i:google|xiaomi|redmi|huawei|honor|oppo|vivo|oneplus|samsung|realme|meizu|lenovo|motorola|sony|zte|nubia|nokia|asus|apple)[- ][A-Za-z0-9][\w ()+-]{1,40}$`)
	reModelCode  = lazyre.New(`^(SM-[A-Z]\d{3,4}[A-Z0-9]{0,3}|Pixel \d{1,2}( Pro| XL| a| Fold)?|iPhone\d{1,2},\d{1,2}|iPad\d{1,2},\d{1,2}|sdk_gphone(64)?_(arm64|x86_64|x86)|[A-Z]{3}-(AN|AL|TL|L|LX)\d{2}[A-Z]?|M\d{4}[A-Z]\d{1,2}[A-Z]{1,2}|V\d{4}[A-Z]{1,2}|P[A-Z]{2}M\d{2}|MI \d{1,2}( Pro| Ultra| Lite)?|Redmi (Note|K)\s?\d{1,2}( Pro\+?)?)$`)
)

// uiActions are values that name a user action or a navigation.
var uiActions = map[string]bool{
	"click": true, "tap": true, "longclick": true, "longpress": true, "expose": true, "exposure": true,
	"swipe": true, "scroll": true, "switchtab": true, "navigateto": true, "navigateback": true,
	"redirectto": true, "relaunch": true, "pageenter": true, "pageleave": true, "pageshow": true, "pagehide": true,
	"doubleclick": true, "doubletap": true, "longtap": true, "pullrefresh": true, "pulldownrefresh": true,
	"navigatetominiprogram": true, "onclick": true, "ontap": true,
}

// uiNames are key prefixes under which a value records a user action.
var uiNames = []string{"click", "isclick", "expose", "isexpose", "exposure", "reddot", "tap", "tabid", "tabindex", "clicktab", "clk", "longpress", "swipe"}

// diagNames are keys under which a value is a crash, ANR or exit record.
var diagNames = map[string]bool{
	"exittype": true, "exitreason": true, "exitcode": true, "crashtype": true, "crashinfo": true, "crashstack": true,
	"anrinfo": true, "anrtrace": true, "anrtype": true, "stacktrace": true, "stack": true, "errstack": true,
	"errorstack": true, "tombstone": true, "signal": true, "lastcrash": true,
}

// wifiNames are keys under which a value is the Wi-Fi network.
var wifiNames = map[string]bool{
	"ssid": true, "wifissid": true, "wifiname": true, "ssidname": true, "currentssid": true, "apssid": true,
	"bssid": true, "wifibssid": true, "wifimac": true, "apmac": true,
}

// searchTextNames are short keys that hold a query only in a search
// context (a search endpoint or a search URL).
var searchTextNames = map[string]bool{"q": true, "wd": true, "kw": true, "word": true, "text": true, "searchtext": true, "inputtext": true}

// inText reports values carried inside a report line, JSON or query: the
// places where what a value means cannot come from a field number.
func inText(f *Field) bool {
	return f.inChain("report_line") || f.inChain("json") || f.inChain("query") || f.inChain("xml")
}

// behaviourDetect runs the detectors of this file on one leaf; name is
// the name it is sent under ("" for none), search says the request or the
// enclosing URL is a search.
func behaviourDetect(f *Field, name, s string, search bool, emit func(Finding)) {
	out := func(t taxonomy.DataType, c taxonomy.Confidence, id, reason string) {
		emit(Finding{DataType: t, Confidence: c, FieldPath: f.Path, Value: excerpt(s), Rule: "detector:" + id, Reason: reason})
	}
	n := normName(name)
	// UI events.
	if n != "" && !placeholder(s) && !strings.HasSuffix(n, "time") && !strings.HasSuffix(n, "timestamp") {
		for _, p := range uiNames {
			if strings.HasPrefix(n, p) {
				out(taxonomy.UIEvents, taxonomy.Medium, "ui-key", "the value is sent under a name for a click, an exposure, a tab or a red dot ("+name+"): what the user did or saw in the interface")
				break
			}
		}
	}
	// A click id that is, or holds, the tap's time in milliseconds
	// ("1684415183666", "<search id>-1681405683412-<n>") says when the
	// user tapped, not only that they did.
	if strings.HasPrefix(n, "click") && strings.HasSuffix(n, "id") && len(s) <= 128 && reMillisInID.MatchString(s) {
		out(taxonomy.ActivityTimestamps, taxonomy.Medium, "click-id-time", "the id of a tap ("+name+") is or holds the time of the tap in milliseconds")
	}
	if inText(f) && uiActions[strings.ToLower(s)] {
		out(taxonomy.UIEvents, taxonomy.Medium, "ui-action", "a report names a user action or a page navigation (click, expose, switchTab…)")
	}
	if inText(f) && len(s) <= 128 && reScreen.MatchString(s) {
		out(taxonomy.UIEvents, taxonomy.Medium, "ui-screen", "a report names a screen (an Activity or UI class): which page the user entered or left")
	}
	if len(s) <= 1024 && reViewPath.MatchString(s) {
		out(taxonomy.UIEvents, taxonomy.Medium, "ui-view-path", "a '|'-separated path of view classes records which view the user touched")
	}
	if len(s) <= 256 && reAPIResult.MatchString(s) && (n == "errmsg" || inText(f)) {
		// An API call's outcome is not a fault of the app: it records the
		// call, by name (see TAXONOMY.md, diagnostics).
		out(taxonomy.UIEvents, taxonomy.Low, "api-result", "a Mini Program API result (\"<api>:ok\", \"<api>:fail …\") records which API the page called")
	}
	// Diagnostics.
	if len(s) <= 8192 && (reStackFrame.MatchString(s) || reJSError.MatchString(s)) {
		out(taxonomy.Diagnostics, taxonomy.High, "stack-or-js-error", "a stack frame or a JavaScript runtime error is crash or error diagnostics")
	}
	if len(s) <= 64 && inText(f) && reCrashWord.MatchString(s) {
		out(taxonomy.Diagnostics, taxonomy.Medium, "crash-record", "a report line naming an ANR, a crash or an abnormal exit is crash diagnostics")
	}
	if diagNames[n] && !placeholder(s) {
		out(taxonomy.Diagnostics, taxonomy.High, "diag-key", "the value is sent under a name for a crash, ANR or exit record ("+name+")")
	}
	// Wi-Fi.
	if wifiNames[n] && !placeholder(s) && !strings.EqualFold(s, "<unknown ssid>") && s != "02:00:00:00:00:00" {
		out(taxonomy.WiFi, taxonomy.High, "wifi-key", "the value is sent under a name for the Wi-Fi network or access point ("+name+")")
	} else if inText(f) && len(s) <= 34 && !reNetType.MatchString(s) &&
		(reQuotedSSID.MatchString(s) && s != `"<unknown ssid>"` || reSSIDName.MatchString(s) && !apiLike(s)) {
		out(taxonomy.WiFi, taxonomy.Medium, "ssid-name", "a value shaped like a Wi-Fi network name (quoted as Android reports it, or a router's or hotspot's name)")
	}
	// Search text.
	if search && searchTextNames[n] && humanText(s) {
		out(taxonomy.SearchQuery, taxonomy.Medium, "search-text-key", "in a search request or URL, "+name+" holds the text the user searched for")
	}
	// Device model, by shape, unless the name says the value is something
	// else: a router's default name ("Xiaomi-402B" under "ssid") has a
	// maker's shape too.
	if km, named := keyMeanings[n]; (named && km.dataType != taxonomy.DeviceModel) || wifiNames[n] {
		return
	}
	if len(s) <= 64 && (reMakerModel.MatchString(s) && strings.ContainsAny(s, "0123456789_") || reModelCode.MatchString(s)) {
		out(taxonomy.DeviceModel, taxonomy.Medium, "model-shape", "the value has the shape of a handset's manufacturer-model or model code")
	}
}

// apiLike rejects identifiers that mention Wi-Fi without being a network's
// name: API and flag names ("getWifiList", "wifi_only", "isWifi").
func apiLike(s string) bool {
	l := strings.ToLower(s)
	for _, p := range []string{"get", "set", "is", "on", "start", "stop", "check", "enable", "disable", "connect", "request", "wifi_", "wifionly", "nowifi"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return strings.ContainsAny(s, ".()/")
}
