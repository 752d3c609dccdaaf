package classify

import (
	"net/netip"
	"strings"

	"github.com/wxaudit/wxaudit/internal/lazyre"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// A detector looks at one leaf wherever it appears and says what it means,
// from the value's own form. Each is written so that a value that merely
// resembles the form (a hex string, a number) does not fire.
type detector struct {
	id         string
	dataType   taxonomy.DataType
	confidence taxonomy.Confidence
	reason     string
	match      func(f *Field, s string) bool
}

var (
	reDeviceID = lazyre.New(`^A[0-9a-f]{14,15}$`)
	// reDeviceIDTime is the device id joined to a time in ms, as report
	// lines key a launch ("A…_1684412617781"): it still names the device.
	reDeviceIDTime = lazyre.New(`^A[0-9a-f]{14,15}_\d{10,13}$`)
	// reModelABI is the handset model with the CPU ABI appended, as the
	// kv report header and Mini Program reports send Build.MODEL+CPU_ABI
	// ("sdk_gphone64_arm64arm64-v8a", "SM-G9910arm64-v8a").
	reModelABI = lazyre.New(`^[A-Za-z][A-Za-z0-9 _.+-]{0,38}[A-Za-z0-9](arm64-v8a|armeabi-v7a|armeabi|x86_64)$`)
	reWxid     = lazyre.New(`^wxid_[a-z0-9]{8,24}$`)
	reAppID    = lazyre.New(`^wx[0-9a-f]{16}$`)
	reWxaUser  = lazyre.New(`^gh_[0-9a-f]{12}@app$`)
	reMAC      = lazyre.New(`^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$`)
	reFCM      = lazyre.New(`^[A-Za-z0-9_-]{11}:APA91b[A-Za-z0-9_-]{100,}$`)
	reEmail    = lazyre.New(`^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`)
	rePhone    = lazyre.New(`^\+[1-9][0-9 -]{7,16}[0-9]$`)
	reOS       = lazyre.New(`^(android-\d{1,2}|Android \d{1,2}(\.\d+)*|(iPhone |iPad |iPod )?(iOS|iPadOS) ?\d{1,2}(\.\d+)*|(iPhone|iPad) ?OS( ?\d{1,2}(\.\d+)*)?)$`)
	// reDeviceIDText is a device id sent as text by another client:
	// iOS sends 16 bytes, which logs show as 32 hex digits or a UUID.
	reDeviceIDText = lazyre.New(`^([0-9a-fA-F]{32}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$`)
	reABI          = lazyre.New(`(^|[^_A-Za-z])(arm64-v8a|armeabi-v7a|armeabi|x86_64)$`).Needing("arm64-v8a", "armeabi", "x86_64")
	reTZ           = lazyre.New(`^((Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z_]+(/[A-Za-z_]+)?|GMT[+-]\d{1,2}(:\d\d)?)$`)
	reLocale       = lazyre.New(`^[a-z]{2}_[A-Z]{2}$`)
	reNetType      = lazyre.New(`^(?i:wifi|2g|3g|4g|5g|lte)$`)
)

// languages are bare language codes common enough to be read as a locale
// when they are the whole value of a field.
var languages = map[string]bool{
	"en": true, "zh": true, "ja": true, "ko": true, "fr": true, "de": true, "es": true,
	"it": true, "ru": true, "pt": true, "ar": true, "th": true, "vi": true, "id": true,
	"ms": true, "tr": true, "zh_CN": true, "zh_TW": true, "zh_HK": true,
}

// carriers are mobile network names; a field equal to one is the carrier.
var carriers = map[string]bool{
	"t-mobile": true, "at&t": true, "verizon": true, "sprint": true, "vodafone": true,
	"rogers": true, "telus": true, "fido": true,
	"china mobile": true, "china unicom": true, "china telecom": true, "chinamobile": true,
	"cmcc": true, "中国移动": true, "中国联通": true, "中国电信": true, "docomo": true,
	"softbank": true, "kddi": true, "singtel": true, "starhub": true, "telstra": true,
	"optus": true, "csl": true, "smartone": true, "hkt": true, "china mobile hk": true,
	// Operators elsewhere, as Android reports their network names. Names
	// that are also common words or people's names (Three, EE, Bell,
	// Globe, Free) are left out: a value equal to them says too little.
	"orange": true, "sfr": true, "bouygues telecom": true, "o2": true, "o2-uk": true,
	"telekom": true, "telefonica": true, "movistar": true, "wind tre": true,
	"airtel": true, "jio": true, "bsnl": true, "claro": true, "telcel": true, "safaricom": true,
	"mtn": true, "mts": true, "megafon": true, "beeline": true, "tele2": true, "turkcell": true,
	"etisalat": true, "stc": true, "telkomsel": true, "dtac": true,
	"maxis": true, "celcom": true, "viettel": true, "sk telecom": true,
	"lg u+": true, "freedom mobile": true, "chunghwa telecom": true, "far eastone": true,
}

// carrierName reports whether s is an operator's network name, also with
// the country tag Android appends to some ("Orange F", "O2 - UK",
// "MTS RUS", "Claro BR").
func carrierName(s string) bool {
	if len(s) > 32 {
		return false
	}
	l := strings.ToLower(strings.TrimSpace(s))
	if carriers[l] {
		return true
	}
	i := strings.LastIndexByte(l, ' ')
	if i <= 0 {
		return false
	}
	tag := s[strings.LastIndexByte(s, ' ')+1:]
	if len(tag) > 3 || strings.ToUpper(tag) != tag {
		return false
	}
	return carriers[strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(l[:i]), "-"))]
}

var detectors = []detector{
	{"value-device-id", taxonomy.DeviceID, taxonomy.High,
		`WeChat's device id is "A" followed by 14-15 hex digits, NUL-terminated (doc/protocol.md §6; the logs show 14); it is stable per install`,
		func(f *Field, s string) bool { return reDeviceID.MatchString(strings.TrimRight(s, "\x00")) }},
	{"value-device-id-time", taxonomy.DeviceID, taxonomy.High,
		`WeChat's device id ("A" + hex) joined to a time: a launch key that still names the device`,
		func(f *Field, s string) bool { return reDeviceIDTime.MatchString(s) }},
	// The ABI half is hardware by value-abi.
	{"value-model-abi", taxonomy.DeviceModel, taxonomy.Medium,
		`the handset model with the CPU ABI appended (Build.MODEL + CPU_ABI, as WeChat's reports send them)`,
		func(f *Field, s string) bool { return len(s) <= 64 && reModelABI.MatchString(s) }},
	{"value-wxid", taxonomy.AccountID, taxonomy.High,
		`"wxid_" user names are WeChat account identifiers`,
		func(f *Field, s string) bool { return reWxid.MatchString(s) }},
	{"value-appid", taxonomy.MiniProgramID, taxonomy.Medium,
		`"wx" + 16 hex digits is a WeChat appid; in client reports it names the Mini Program in use`,
		func(f *Field, s string) bool { return reAppID.MatchString(s) }},
	{"value-wxa-username", taxonomy.MiniProgramID, taxonomy.High,
		`"gh_…@app" is a Mini Program's user name`,
		func(f *Field, s string) bool { return reWxaUser.MatchString(s) }},
	{"value-bssid", taxonomy.WiFi, taxonomy.Medium,
		`a MAC address in a client report is the Wi-Fi access point (BSSID), which locates the user`,
		func(f *Field, s string) bool {
			if !reMAC.MatchString(s) {
				return false
			}
			l := strings.ToLower(strings.ReplaceAll(s, "-", ":"))
			// Android hides real MACs behind 02:00:00:00:00:00.
			return l != "00:00:00:00:00:00" && l != "02:00:00:00:00:00" && l != "ff:ff:ff:ff:ff:ff"
		}},
	{"value-private-ip", taxonomy.IPAddress, taxonomy.Medium,
		`a private (RFC 1918/6598) address can only be the device's own LAN address, never a WeChat server`,
		func(f *Field, s string) bool {
			a, err := netip.ParseAddr(s)
			if err != nil || !a.Is4() {
				return false
			}
			return a.IsPrivate() || netip.MustParsePrefix("100.64.0.0/10").Contains(a)
		}},
	{"value-carrier", taxonomy.CellCarrier, taxonomy.High,
		`the value is a mobile carrier's name`,
		func(f *Field, s string) bool { return carrierName(s) }},
	{"value-fcm-token", taxonomy.PushToken, taxonomy.High,
		`Firebase Cloud Messaging registration tokens are "<instance id>:APA91b…"`,
		func(f *Field, s string) bool { return reFCM.MatchString(s) }},
	{"value-email", taxonomy.Email, taxonomy.Medium,
		`the value is an email address`,
		func(f *Field, s string) bool { return len(s) <= 254 && reEmail.MatchString(s) }},
	{"value-phone", taxonomy.PhoneNumber, taxonomy.Medium,
		`the value is a phone number in international (E.164) form`,
		func(f *Field, s string) bool { return rePhone.MatchString(s) }},
	{"value-os", taxonomy.OSVersion, taxonomy.High,
		`"android-NN", "Android NN", "iOS16.5", "iPhone OS 16.5" name the OS and its version or API level`,
		func(f *Field, s string) bool { return reOS.MatchString(s) }},
	{"value-abi", taxonomy.DeviceHardware, taxonomy.High,
		`an Android CPU ABI name (arm64-v8a, x86_64…), alone or appended to the model, describes the hardware; "_abi" suffixes of build ids name the APK, not the device`,
		func(f *Field, s string) bool { return len(s) <= 64 && reABI.MatchString(s) }},
	{"value-timezone", taxonomy.Timezone, taxonomy.High,
		`an IANA time zone name or GMT offset`,
		func(f *Field, s string) bool { return reTZ.MatchString(s) }},
	{"value-locale", taxonomy.LanguageLocale, taxonomy.Medium,
		`a whole field equal to a language code or ll_CC locale is the client's language`,
		func(f *Field, s string) bool { return languages[s] || reLocale.MatchString(s) }},
	{"value-nettype", taxonomy.NetworkType, taxonomy.Medium,
		`a whole field equal to wifi/4g/5g/lte is the connection type`,
		func(f *Field, s string) bool { return reNetType.MatchString(s) }},
	{"value-timeline", taxonomy.MomentsContent, taxonomy.High,
		`a TimelineObject XML document is a Moments post`,
		func(f *Field, s string) bool { return strings.HasPrefix(s, "<TimelineObject") }},
}

// authSettingReason explains permissions_state findings of authSetting.
const authSettingReason = `a Mini Program's authSetting maps permission scopes ("scope.userLocation", "scope.camera"…) to whether the user granted them; granted or denied, the entry tells the server the permission state`

// authSetting reports whether f is one permission entry of an authSetting
// object: a boolean (true/false, or 0/1 as the decoder holds JSON
// booleans) under a "scope…" key.
func authSetting(f *Field) bool {
	if !authScope(f.Path) {
		return false
	}
	switch f.Kind {
	case KindVarint:
		return f.Uint <= 1
	case KindText, KindNumber:
		return f.Text == "true" || f.Text == "false" || f.Text == "0" || f.Text == "1"
	}
	return false
}

// authScope reports whether path names a permission scope inside an
// authSetting object ("….authSetting.scope.userLocation"): JSON keys that
// contain a dot come out as two path components.
func authScope(path string) bool {
	comps := strings.Split(path, ".")
	for i := 0; i+1 < len(comps); i++ {
		if strings.EqualFold(comps[i], "authSetting") {
			return strings.HasPrefix(comps[i+1], "scope")
		}
	}
	return false
}

// leafText returns the text a value detector examines: text, or printable
// bytes (device ids are sent as NUL-terminated bytes).
func leafText(f *Field) (string, bool) {
	switch f.Kind {
	case KindText:
		return f.Text, f.Text != ""
	case KindBytes:
		if len(f.Bytes) == 0 || len(f.Bytes) > 512 {
			return "", false
		}
		b := f.Bytes
		for len(b) > 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		for _, c := range b {
			if c < 0x20 || c > 0x7e {
				return "", false
			}
		}
		return string(b), len(b) > 0
	}
	return "", false
}
