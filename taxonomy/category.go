package taxonomy

// Category is a broader class of data, the way a privacy policy speaks
// ("device information" covers the device model and the OS version).
type Category struct {
	Name        string
	Description string
	// Vague marks a category too broad to tell a reader what is collected
	// ("personal information").
	Vague bool
	// Includes names data types and other categories.
	Includes []string
}

// Categories are the built-in categories every policy model may use; a
// model adds its own and may not redefine these.
var Categories = []Category{
	{Name: "device_information", Description: "identifiers and properties of the phone and the app",
		Includes: names(DeviceID, DeviceModel, DeviceHardware, OSVersion, ClientVersion, SystemSoftware, LanguageLocale, Timezone, PermissionsState)},
	{Name: "network_information", Description: "the network the phone uses",
		Includes: names(NetworkType, IPAddress, WiFi, CellCarrier)},
	{Name: "location_information", Description: "where the user is, precise or coarse",
		Includes: names(Location, CoarseLocation)},
	{Name: "contact_information", Description: "phone number and email address",
		Includes: names(PhoneNumber, Email)},
	{Name: "account_information", Description: "the account and its profile",
		Includes: append(names(AccountID, ProfileName), "contact_information", string(SessionToken), string(PushToken))},
	{Name: "identifiers", Description: "values that single out the user or the device",
		Includes: names(AccountID, DeviceID, SessionToken, PushToken, ThirdPartyUserID)},
	{Name: "user_content", Description: "what the user writes, posts and sends",
		Includes: names(MessageContent, MomentsContent, ImageMediaMetadata)},
	{Name: "social_information", Description: "contacts and friends",
		Includes: names(ContactsSocialGraph)},
	{Name: "miniprogram_usage", Description: "which Mini Programs the user opens and what they do in them",
		Includes: names(MiniProgramID, MiniProgramPagePath, UIEvents, UsageStatistics, ContentBrowsing, ActivityTimestamps, SearchQuery)},
	{Name: "usage_information", Description: "how the user uses the app: actions, pages, searches, times",
		Includes: names(UIEvents, UsageStatistics, ContentBrowsing, ActivityTimestamps, SearchQuery)},
	{Name: "log_information", Description: "technical logs the app sends",
		Includes: append(names(Diagnostics, ActivityTimestamps, IPAddress), "device_information")},
	{Name: "personal_information", Vague: true, Description: "any information about the user (too broad to tell a reader what is collected)",
		Includes: Names()},
}

func names(ts ...DataType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}
