package classify

// DataType names one kind of personal data. The names are the issue-5
// taxonomy; they appear in findings.jsonl and policy models, so renaming one
// is a breaking change.
type DataType string

// The taxonomy.
const (
	AccountID           DataType = "account_id"
	DeviceID            DataType = "device_id"
	DeviceModel         DataType = "device_model"
	DeviceHardware      DataType = "device_hardware"
	OSVersion           DataType = "os_version"
	ClientVersion       DataType = "client_version"
	LanguageLocale      DataType = "language_locale"
	Timezone            DataType = "timezone"
	NetworkType         DataType = "network_type"
	IPAddress           DataType = "ip_address"
	WiFi                DataType = "wifi"
	CellCarrier         DataType = "cell_carrier"
	Location            DataType = "location"
	CoarseLocation      DataType = "coarse_location"
	PhoneNumber         DataType = "phone_number"
	Email               DataType = "email"
	SessionToken        DataType = "session_token"
	PushToken           DataType = "push_token"
	ProfileName         DataType = "profile_name"
	ContactsSocialGraph DataType = "contacts_social_graph"
	MessageContent      DataType = "message_content"
	MomentsContent      DataType = "moments_content"
	ImageMediaMetadata  DataType = "image_media_metadata"
	MiniProgramID       DataType = "miniprogram_id"
	MiniProgramPagePath DataType = "miniprogram_page_path"
	UIEvents            DataType = "ui_events"
	UsageStatistics     DataType = "usage_statistics"
	SearchQuery         DataType = "search_query"
	ContentBrowsing     DataType = "content_browsing"
	ActivityTimestamps  DataType = "activity_timestamps"
	ThirdPartyUserID    DataType = "third_party_user_id"
	SystemSoftware      DataType = "system_software"
	Diagnostics         DataType = "diagnostics"
	PermissionsState    DataType = "permissions_state"
	OpaqueEncryptedBlob DataType = "opaque_encrypted_blob"
)

// TypeInfo documents one data type.
type TypeInfo struct {
	Name        DataType
	Description string
}

// Taxonomy lists every data type with what it covers, in report order.
var Taxonomy = []TypeInfo{
	{AccountID, "the account: uin, wxid, user name"},
	{DeviceID, "a stable device identifier: WeChat device id, IMEI, Android id, device virtual id"},
	{DeviceModel, "device manufacturer, brand and model"},
	{DeviceHardware, "hardware details: CPU ABI, CPU model, memory, screen"},
	{OSVersion, "operating system name and version or API level"},
	{ClientVersion, "WeChat client version"},
	{LanguageLocale, "language or locale setting"},
	{Timezone, "time zone or UTC offset"},
	{NetworkType, "connection type: wifi, 4g, 5g"},
	{IPAddress, "the device's own IP address (local or public)"},
	{WiFi, "Wi-Fi network name (SSID) or access point MAC (BSSID)"},
	{CellCarrier, "mobile carrier name or MCC/MNC code"},
	{Location, "precise coordinates (about 100 m or better)"},
	{CoarseLocation, "coarse coordinates, city or region"},
	{PhoneNumber, "a phone number"},
	{Email, "an email address"},
	{SessionToken, "session keys, tickets and authentication tokens"},
	{PushToken, "push notification token (FCM)"},
	{ProfileName, "the user's nickname or display name"},
	{ContactsSocialGraph, "contacts, chat partners, group membership"},
	{MessageContent, "content of a chat message"},
	{MomentsContent, "content of a Moments post"},
	{ImageMediaMetadata, "metadata of images or media sent (ids, sizes, dimensions)"},
	{MiniProgramID, "which Mini Program (appid or user name)"},
	{MiniProgramPagePath, "which page inside a Mini Program"},
	{UIEvents, "user-interface events: taps, page enter/leave, API calls by name"},
	{UsageStatistics, "usage reports: durations, counts, stay times, feature usage"},
	{SearchQuery, "text the user searched for"},
	{ContentBrowsing, "which articles, videos or feeds the user viewed"},
	{ActivityTimestamps, "when the user did something"},
	{ThirdPartyUserID, "an identifier of the user at a third party (openid, unionid)"},
	{SystemSoftware, "installed software, system configuration, root state"},
	{Diagnostics, "crash, error and performance diagnostics"},
	{PermissionsState, "which OS permissions the app holds"},
	{OpaqueEncryptedBlob, "an encrypted or compressed blob whose content cannot be read"},
}

// Known reports whether t is in the taxonomy.
func Known(t DataType) bool {
	for _, i := range Taxonomy {
		if i.Name == t {
			return true
		}
	}
	return false
}
