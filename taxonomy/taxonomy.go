package taxonomy

// This file spells every word of the vocabulary; the names of the data
// types appear in no other non-test file (TestSpelledOnce).

// DataType names one kind of personal data.
type DataType string

// The data types.
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

// Features: the app function during which a request is sent, not what the
// request carries (a Mini Program's usage report is FeatureMiniPrograms).
// Attribution assigns them; the catalog file and policy models name them.
const (
	FeatureMessaging    = "messaging"    // sending and receiving chat messages and media
	FeatureMoments      = "moments"      // Moments timeline, posts, comments
	FeatureMiniPrograms = "miniprograms" // Mini Programs and their JS APIs
	FeatureChannels     = "channels"     // Channels ("finder")
	FeatureSearch       = "search"       // search
	FeatureContacts     = "contacts"     // contacts, chat rooms, friend requests
	FeatureLocation     = "location"     // location and nearby features
	FeatureLogin        = "login"        // login, logout, registration, device binding
	FeatureSync         = "sync"         // synchronisation of messages and account state
	FeatureConfig       = "config"       // configuration, resources, DNS, experiments
	FeatureTelemetry    = "telemetry"    // background usage reports and statistics
	FeaturePayments     = "payments"     // WeChat Pay
	FeatureOther        = "other"        // not classified
)

// Confidence says how sure a detector is that a value has its data type.
type Confidence string

// Confidence levels.
const (
	High   Confidence = "high"
	Medium Confidence = "medium"
	Low    Confidence = "low"
)

// Recipients: who receives a request. Attribution assigns them; policy
// models name them.
const (
	RecipientWeChat      = "wechat"                // WeChat first-party servers
	RecipientWeixin      = "weixin"                // a Weixin-operated service (Search, Channels)
	RecipientMPDeveloper = "miniprogram_developer" // a Mini Program's own developer
	RecipientThirdParty  = "third_party"           // another identified third party
	RecipientOther       = "other"                 // any other host
)

// Permission states of a run: whether the OS permissions were granted.
const (
	PermOn      = "on"
	PermOff     = "off"
	PermUnknown = "unknown"
)

// Inner encryption of a business packet, as payloads record it.
const (
	InnerNone   = "none"
	InnerAESCBC = "aes-cbc"
	InnerAESGCM = "aes-gcm"
)

// Reasons a record or business packet was not decrypted. They are the keys
// of the decrypt statistics and the Reason of business.OpenError, so the
// same failure counts under the same word at both layers.
const (
	ReasonNoKey          = "no key"
	ReasonTagMismatch    = "tag mismatch"
	ReasonTruncated      = "truncated"
	ReasonBadPadding     = "bad padding"
	ReasonLengthMismatch = "length mismatch"
	ReasonUnconfirmed    = "unconfirmed plaintext"
	ReasonTooLarge       = "inflate: too large"
	ReasonOutputCap      = "inflate: the capture's output cap was reached"
	ReasonInflate        = "inflate: bad stream"
	ReasonMalformed      = "malformed"
	ReasonUnknownType    = "unknown type"
	ReasonInnerFailure   = "inner failure"
	ReasonGap            = "bytes missing from capture"
	ReasonNotRecord      = "not an mmtls record"
	ReasonBadEnvelope    = "bad envelope"
	ReasonUnrecognized   = "unrecognized protocol"
	ReasonPendingLimit   = "no key (pending limit)"
	ReasonHTTPMalformed  = "malformed http"
)
