package report

import (
	"github.com/wxaudit/wxaudit/taxonomy"
)

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
var sensitivity = map[taxonomy.DataType]int{
	taxonomy.Location:            SensitivityHigh,
	taxonomy.CoarseLocation:      SensitivityMedium,
	taxonomy.PhoneNumber:         SensitivityHigh,
	taxonomy.Email:               SensitivityHigh,
	taxonomy.ContactsSocialGraph: SensitivityHigh,
	taxonomy.MessageContent:      SensitivityHigh,
	taxonomy.MomentsContent:      SensitivityHigh,
	taxonomy.SearchQuery:         SensitivityHigh,
	taxonomy.ContentBrowsing:     SensitivityHigh,
	taxonomy.MiniProgramPagePath: SensitivityHigh,
	taxonomy.ProfileName:         SensitivityHigh,
	taxonomy.WiFi:                SensitivityMedium,
	taxonomy.AccountID:           SensitivityMedium,
	taxonomy.DeviceID:            SensitivityMedium,
	taxonomy.IPAddress:           SensitivityMedium,
	taxonomy.SessionToken:        SensitivityMedium,
	taxonomy.PushToken:           SensitivityMedium,
	taxonomy.ThirdPartyUserID:    SensitivityMedium,
	taxonomy.ImageMediaMetadata:  SensitivityMedium,
	taxonomy.MiniProgramID:       SensitivityMedium,
	taxonomy.UIEvents:            SensitivityMedium,
	taxonomy.UsageStatistics:     SensitivityMedium,
	taxonomy.ActivityTimestamps:  SensitivityMedium,
}

// Sensitivity returns the level of a data type.
func Sensitivity(dataType string) int {
	if s, ok := sensitivity[taxonomy.DataType(dataType)]; ok {
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
