package taxonomy

import "strings"

// featurePhrases word each feature as a sentence names it ("during
// Mini Program use"). The policy comparison and the claims both read this
// one table, so a feature is worded the same everywhere.
var featurePhrases = map[string]string{
	FeatureMiniPrograms: "Mini Program use",
	FeatureChannels:     "Channels",
	FeatureSearch:       "Search",
	FeatureMoments:      "Moments",
	FeatureMessaging:    "messaging",
	FeatureContacts:     "contact loading",
	FeatureLocation:     "location features",
	FeatureLogin:        "login",
	FeatureSync:         "synchronisation",
	FeatureConfig:       "configuration updates",
	FeatureTelemetry:    "background reporting",
	FeaturePayments:     "payments",
	FeatureOther:        "other activity",
	"":                  "other activity",
}

// FeaturePhrase words a feature for a sentence; an unknown one is "the X
// feature".
func FeaturePhrase(f string) string {
	if p, ok := featurePhrases[f]; ok {
		return p
	}
	return "the " + strings.ReplaceAll(f, "_", " ") + " feature"
}

// DataTypePhrase words a data type for a sentence ("precise location").
func DataTypePhrase(dt string) string {
	if info, ok := Lookup(DataType(dt)); ok {
		return info.Phrase
	}
	return strings.ReplaceAll(dt, "_", " ")
}
