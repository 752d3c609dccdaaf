package taxonomy

// Info documents one data type.
type Info struct {
	Name DataType
	// Description says what the type covers, for people who read reports
	// and write detectors (classify/TAXONOMY.md says it at length).
	Description string
	// Phrase is the type in plain words for a sentence in a policy
	// verdict ("which pages were visited inside Mini Programs").
	Phrase string
}

// All lists every data type, in report order.
var All = []Info{
	{AccountID, "the account: uin, wxid, user name", "the account identifier"},
	{DeviceID, "a stable device identifier: WeChat device id, IMEI, Android id, device virtual id", "the device identifier"},
	{DeviceModel, "device manufacturer, brand and model", "the phone model"},
	{DeviceHardware, "hardware details: CPU ABI, CPU model, memory, screen", "hardware details of the phone"},
	{OSVersion, "operating system name and version or API level", "the operating system version"},
	{ClientVersion, "WeChat client version", "the app version"},
	{LanguageLocale, "language or locale setting", "the language setting"},
	{Timezone, "time zone or UTC offset", "the time zone"},
	{NetworkType, "connection type: wifi, 4g, 5g", "the network type"},
	{IPAddress, "the device's own IP address (local or public)", "an IP address"},
	{WiFi, "Wi-Fi network name (SSID) or access point MAC (BSSID)", "Wi-Fi network details"},
	{CellCarrier, "mobile carrier name or MCC/MNC code", "the mobile carrier"},
	{Location, "precise coordinates (about 100 m or better)", "precise location coordinates"},
	{CoarseLocation, "coarse coordinates, city or region", "the approximate location"},
	{PhoneNumber, "a phone number", "the phone number"},
	{Email, "an email address", "an email address"},
	{SessionToken, "session keys, tickets and authentication tokens", "session tokens"},
	{PushToken, "push notification token (FCM)", "the push notification token"},
	{ProfileName, "the user's nickname or display name", "the profile name"},
	{ContactsSocialGraph, "contacts, chat partners, group membership", "contacts and friend relationships"},
	{MessageContent, "content of a chat message", "message content"},
	{MomentsContent, "content of a Moments post", "Moments posts"},
	{ImageMediaMetadata, "metadata of images or media sent (ids, sizes, dimensions)", "image and media metadata"},
	{MiniProgramID, "which Mini Program (appid or user name)", "which Mini Programs were opened"},
	{MiniProgramPagePath, "which page inside a Mini Program", "which pages were visited inside Mini Programs"},
	{UIEvents, "user-interface events: taps, page enter/leave, API calls by name", "what the user tapped and did"},
	{UsageStatistics, "usage reports: durations, counts, stay times, feature usage", "usage statistics such as how long pages were viewed"},
	{SearchQuery, "text the user searched for", "search terms"},
	{ContentBrowsing, "which articles, videos or feeds the user viewed", "what content the user browsed"},
	{ActivityTimestamps, "when the user did something", "when the user did things"},
	{ThirdPartyUserID, "an identifier of the user at a third party (openid, unionid)", "user identifiers of third-party services"},
	{SystemSoftware, "installed software, system configuration, root state", "details of the system software"},
	{Diagnostics, "crash, error and performance diagnostics", "diagnostic and performance data"},
	{PermissionsState, "which OS permissions the app holds", "which permissions the app has"},
	{OpaqueEncryptedBlob, "an encrypted or compressed blob whose content cannot be read", "data wxaudit could not read"},
}

// Known reports whether t is a data type.
func Known(t DataType) bool {
	_, ok := Lookup(t)
	return ok
}

// Lookup returns the Info of t.
func Lookup(t DataType) (Info, bool) {
	for _, i := range All {
		if i.Name == t {
			return i, true
		}
	}
	return Info{}, false
}

// Names returns the names of all data types, in report order.
func Names() []string {
	out := make([]string, len(All))
	for i, info := range All {
		out[i] = string(info.Name)
	}
	return out
}

// Features lists the features in display order.
var Features = []string{
	FeatureMessaging, FeatureMoments, FeatureMiniPrograms, FeatureChannels, FeatureSearch,
	FeatureContacts, FeatureLocation, FeatureLogin, FeatureSync, FeatureConfig,
	FeatureTelemetry, FeaturePayments, FeatureOther,
}

// KnownFeature reports whether f is in Features.
func KnownFeature(f string) bool {
	for _, x := range Features {
		if x == f {
			return true
		}
	}
	return false
}

// Rank orders confidences: higher is surer, 0 is not a confidence.
func (c Confidence) Rank() int {
	switch c {
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}
