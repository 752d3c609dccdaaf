// This file holds the data-type taxonomy of `wxaudit analyze` (issue 5) and
// the built-in categories that subsume its types, the way a policy speaks
// ("device information" covers the device model and the OS version).

package policy

import "slices"

// DataTypes is the taxonomy of `wxaudit analyze`. Models may name only
// these, the built-in categories, and categories they define.
var DataTypes = []string{
	"account_id", "device_id", "device_model", "device_hardware", "os_version", "client_version",
	"language_locale", "timezone", "network_type", "ip_address", "wifi", "cell_carrier",
	"location", "coarse_location", "phone_number", "email", "session_token", "push_token",
	"profile_name", "contacts_social_graph", "message_content", "moments_content",
	"image_media_metadata", "miniprogram_id", "miniprogram_page_path", "ui_events",
	"usage_statistics", "search_query", "content_browsing", "activity_timestamps",
	"third_party_user_id", "system_software", "diagnostics", "permissions_state",
	"opaque_encrypted_blob",
}

// OpaqueType is the data type of content wxaudit could not read. A flow of
// it is ambiguous unless a disclosure names it: what it holds is unknown.
const OpaqueType = "opaque_encrypted_blob"

// BuiltinCategories are the broader categories every model may use. A
// model's own categories are added to them (and may not redefine them).
var BuiltinCategories = []Category{
	{Name: "device_information", Description: "identifiers and properties of the phone and the app",
		Includes: []string{"device_id", "device_model", "device_hardware", "os_version", "client_version", "system_software", "language_locale", "timezone", "permissions_state"}},
	{Name: "network_information", Description: "the network the phone uses",
		Includes: []string{"network_type", "ip_address", "wifi", "cell_carrier"}},
	{Name: "location_information", Description: "where the user is, precise or coarse",
		Includes: []string{"location", "coarse_location"}},
	{Name: "contact_information", Description: "phone number and email address",
		Includes: []string{"phone_number", "email"}},
	{Name: "account_information", Description: "the account and its profile",
		Includes: []string{"account_id", "profile_name", "contact_information", "session_token", "push_token"}},
	{Name: "identifiers", Description: "values that single out the user or the device",
		Includes: []string{"account_id", "device_id", "session_token", "push_token", "third_party_user_id"}},
	{Name: "user_content", Description: "what the user writes, posts and sends",
		Includes: []string{"message_content", "moments_content", "image_media_metadata"}},
	{Name: "social_information", Description: "contacts and friends",
		Includes: []string{"contacts_social_graph"}},
	{Name: "miniprogram_usage", Description: "which Mini Programs the user opens and what they do in them",
		Includes: []string{"miniprogram_id", "miniprogram_page_path", "ui_events", "usage_statistics", "content_browsing", "activity_timestamps", "search_query"}},
	{Name: "usage_information", Description: "how the user uses the app: actions, pages, searches, times",
		Includes: []string{"ui_events", "usage_statistics", "content_browsing", "activity_timestamps", "search_query"}},
	{Name: "log_information", Description: "technical logs the app sends",
		Includes: []string{"diagnostics", "activity_timestamps", "ip_address", "device_information"}},
	{Name: "personal_information", Vague: true, Description: "any information about the user (too broad to tell a reader what is collected)",
		Includes: slices.Clone(DataTypes)},
}

// buildCover computes, for every type and category name, the set of data
// types it covers (transitively), and which names are vague. It reports a
// cycle or an unknown name through bad, with the category at fault.
func buildCover(cats []Category, bad func(c *Category, msg string)) (map[string]map[string]bool, map[string]bool) {
	cover := make(map[string]map[string]bool, len(DataTypes)+len(cats))
	for _, t := range DataTypes {
		cover[t] = map[string]bool{t: true}
	}
	byName := map[string]*Category{}
	for i := range cats {
		byName[cats[i].Name] = &cats[i]
	}
	vague := map[string]bool{}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var visit func(c *Category) map[string]bool
	visit = func(c *Category) map[string]bool {
		switch state[c.Name] {
		case done:
			return cover[c.Name]
		case visiting:
			bad(c, "category \""+c.Name+"\" includes itself")
			return nil
		}
		state[c.Name] = visiting
		set := map[string]bool{}
		for _, inc := range c.Includes {
			if sub, ok := byName[inc]; ok {
				for t := range visit(sub) {
					set[t] = true
				}
				continue
			}
			if cover[inc] != nil && slices.Contains(DataTypes, inc) {
				set[inc] = true
				continue
			}
			bad(c, "category \""+c.Name+"\" includes unknown data type \""+inc+"\"")
		}
		cover[c.Name] = set
		state[c.Name] = done
		if c.Vague {
			vague[c.Name] = true
		}
		return set
	}
	for i := range cats {
		visit(&cats[i])
	}
	return cover, vague
}
