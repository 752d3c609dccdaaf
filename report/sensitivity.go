package report

import "github.com/wxaudit/wxaudit/classify"

// Sensitivity levels of a data type, for ordering gaps and colouring the
// data-type matrix: what harm its disclosure can do to the user.
const (
	SensitivityLow    = 1 // technical properties of the phone and app
	SensitivityMedium = 2 // identifiers and behavioural traces
	SensitivityHigh   = 3 // where the user is, whom they talk to, what they say, read and search
)

// sensitivity assigns each data type a level; types not listed are
// SensitivityLow. Identifiers are medium: alone they say nothing about a
// person's life, but they join everything else to one person.
var sensitivity = map[classify.DataType]int{
	classify.Location:            SensitivityHigh,
	classify.CoarseLocation:      SensitivityMedium,
	classify.PhoneNumber:         SensitivityHigh,
	classify.Email:               SensitivityHigh,
	classify.ContactsSocialGraph: SensitivityHigh,
	classify.MessageContent:      SensitivityHigh,
	classify.MomentsContent:      SensitivityHigh,
	classify.SearchQuery:         SensitivityHigh,
	classify.ContentBrowsing:     SensitivityHigh,
	classify.MiniProgramPagePath: SensitivityHigh,
	classify.ProfileName:         SensitivityHigh,
	classify.WiFi:                SensitivityMedium,
	classify.AccountID:           SensitivityMedium,
	classify.DeviceID:            SensitivityMedium,
	classify.IPAddress:           SensitivityMedium,
	classify.SessionToken:        SensitivityMedium,
	classify.PushToken:           SensitivityMedium,
	classify.ThirdPartyUserID:    SensitivityMedium,
	classify.ImageMediaMetadata:  SensitivityMedium,
	classify.MiniProgramID:       SensitivityMedium,
	classify.UIEvents:            SensitivityMedium,
	classify.UsageStatistics:     SensitivityMedium,
	classify.ActivityTimestamps:  SensitivityMedium,
}

// Sensitivity returns the level of a data type.
func Sensitivity(dataType string) int {
	if s, ok := sensitivity[classify.DataType(dataType)]; ok {
		return s
	}
	return SensitivityLow
}

// SensitivityName names a level.
func SensitivityName(level int) string {
	switch level {
	case SensitivityHigh:
		return "high"
	case SensitivityMedium:
		return "medium"
	}
	return "low"
}
