// This file maps what a run says about the device's country (the MCC of
// its cell carrier, its time zone, the region of its locale) to rough
// bounding boxes, so that a coordinate pair whose axis order no name or
// catalog entry gives can be checked against them (see orientByEvidence).
// The boxes are deliberately generous: they only have to tell a place from
// its mirror image across the diagonal (48.86, 2.35 in France versus 2.35,
// 48.86 in the Indian Ocean off Somalia), not draw borders.

package classify

import "strings"

// box is a latitude/longitude rectangle, south-west to north-east.
type box struct{ s, w, n, e float64 }

func (b box) contains(lat, lon float64) bool {
	const margin = 1.0 // degrees: fixes near a border or offshore
	return lat >= b.s-margin && lat <= b.n+margin && lon >= b.w-margin && lon <= b.e+margin
}

// countryBox holds rough extents of the countries whose carriers, zones
// and locales WeChat users are commonly found with (mainland extents;
// overseas territories are left out).
var countryBox = map[string]box{
	"CN": {18, 73, 54, 135}, "HK": {22.1, 113.8, 22.6, 114.5}, "MO": {22.1, 113.5, 22.3, 113.6},
	"TW": {21.8, 119.9, 25.4, 122.1}, "JP": {24, 122, 46, 146}, "KR": {33, 124.5, 38.7, 131},
	"SG": {1.1, 103.6, 1.5, 104.1}, "MY": {0.8, 99.6, 7.4, 119.3}, "TH": {5.6, 97.3, 20.5, 105.7},
	"VN": {8.4, 102.1, 23.4, 109.5}, "ID": {-11, 95, 6, 141}, "PH": {4.6, 116.9, 21.1, 126.6},
	"IN": {6.7, 68.1, 35.7, 97.4}, "PK": {23.6, 60.8, 37.1, 77.8}, "BD": {20.7, 88, 26.6, 92.7},
	"AE": {22.6, 51.5, 26.1, 56.4}, "SA": {16.3, 34.5, 32.2, 55.7}, "TR": {35.8, 25.6, 42.1, 44.8},
	"RU": {41.2, 19.6, 81.9, 180}, "GB": {49.9, -8.7, 60.9, 1.8}, "IE": {51.4, -10.5, 55.4, -6},
	"FR": {42.3, -5.2, 51.1, 8.3}, "DE": {47.2, 5.8, 55.1, 15.1}, "NL": {50.7, 3.3, 53.6, 7.3},
	"BE": {49.5, 2.5, 51.5, 6.4}, "ES": {36, -9.4, 43.8, 3.4}, "PT": {36.9, -9.6, 42.2, -6.2},
	"IT": {36.6, 6.6, 47.1, 18.6}, "CH": {45.8, 5.9, 47.9, 10.5}, "AT": {46.3, 9.5, 49, 17.2},
	"SE": {55.3, 11.1, 69.1, 24.2}, "NO": {57.9, 4.6, 71.2, 31.1}, "PL": {49, 14.1, 54.9, 24.2},
	"UA": {44.3, 22.1, 52.4, 40.2}, "EG": {22, 24.7, 31.7, 36.9}, "NG": {4.2, 2.7, 13.9, 14.7},
	"KE": {-4.7, 33.9, 5, 41.9}, "ZA": {-34.9, 16.4, -22.1, 32.9}, "ET": {3.4, 33, 14.9, 48},
	"US": {24.4, -125, 49.4, -66.9}, "CA": {41.7, -141, 83.1, -52.6}, "MX": {14.5, -118.4, 32.7, -86.7},
	"BR": {-33.8, -74, 5.3, -34.8}, "AR": {-55.1, -73.6, -21.8, -53.6}, "CL": {-55.9, -75.7, -17.5, -66.4},
	"PE": {-18.4, -81.4, -0.04, -68.7}, "CO": {-4.2, -79, 12.5, -66.9},
	"AU": {-43.7, 112.9, -10.7, 153.6}, "NZ": {-47.3, 166.4, -34.4, 178.6},
}

// mccCountry maps mobile country codes (ITU-T E.212) to countries.
var mccCountry = map[string]string{
	"460": "CN", "461": "CN", "454": "HK", "455": "MO", "466": "TW", "440": "JP", "441": "JP",
	"450": "KR", "525": "SG", "502": "MY", "520": "TH", "452": "VN", "510": "ID", "515": "PH",
	"404": "IN", "405": "IN", "410": "PK", "470": "BD", "424": "AE", "420": "SA", "286": "TR",
	"250": "RU", "234": "GB", "235": "GB", "272": "IE", "208": "FR", "262": "DE", "204": "NL",
	"206": "BE", "214": "ES", "268": "PT", "222": "IT", "228": "CH", "232": "AT", "240": "SE",
	"242": "NO", "260": "PL", "255": "UA", "602": "EG", "621": "NG", "639": "KE", "655": "ZA",
	"636": "ET", "310": "US", "311": "US", "312": "US", "313": "US", "314": "US", "315": "US",
	"316": "US", "302": "CA", "334": "MX", "724": "BR", "722": "AR", "730": "CL", "716": "PE",
	"732": "CO", "505": "AU", "530": "NZ",
}

// zoneBox maps an IANA time-zone name to a box: the country of the zones
// whose city names one, else the continent of its first component.
func zoneBox(z string) (box, bool) {
	zones := map[string]string{
		"Asia/Shanghai": "CN", "Asia/Chongqing": "CN", "Asia/Harbin": "CN", "Asia/Urumqi": "CN", "PRC": "CN",
		"Asia/Hong_Kong": "HK", "Asia/Macau": "MO", "Asia/Taipei": "TW", "Asia/Tokyo": "JP", "Asia/Seoul": "KR",
		"Asia/Singapore": "SG", "Asia/Kuala_Lumpur": "MY", "Asia/Bangkok": "TH", "Asia/Ho_Chi_Minh": "VN",
		"Asia/Jakarta": "ID", "Asia/Manila": "PH", "Asia/Kolkata": "IN", "Asia/Calcutta": "IN",
		"Asia/Karachi": "PK", "Asia/Dhaka": "BD", "Asia/Dubai": "AE", "Asia/Riyadh": "SA",
		"Europe/Istanbul": "TR", "Europe/Moscow": "RU", "Europe/London": "GB", "Europe/Dublin": "IE",
		"Europe/Paris": "FR", "Europe/Berlin": "DE", "Europe/Amsterdam": "NL", "Europe/Brussels": "BE",
		"Europe/Madrid": "ES", "Europe/Lisbon": "PT", "Europe/Rome": "IT", "Europe/Zurich": "CH",
		"Europe/Vienna": "AT", "Europe/Stockholm": "SE", "Europe/Oslo": "NO", "Europe/Warsaw": "PL",
		"Europe/Kiev": "UA", "Europe/Kyiv": "UA", "Africa/Cairo": "EG", "Africa/Lagos": "NG",
		"Africa/Nairobi": "KE", "Africa/Johannesburg": "ZA", "Africa/Addis_Ababa": "ET",
		"America/Sao_Paulo": "BR", "America/Argentina/Buenos_Aires": "AR", "America/Buenos_Aires": "AR",
		"America/Santiago": "CL", "America/Lima": "PE", "America/Bogota": "CO", "America/Mexico_City": "MX",
		"America/Toronto": "CA", "America/Vancouver": "CA", "America/Montreal": "CA",
		"America/New_York": "US", "America/Chicago": "US", "America/Denver": "US", "America/Los_Angeles": "US",
		"Australia/Sydney": "AU", "Australia/Melbourne": "AU", "Australia/Perth": "AU", "Australia/Brisbane": "AU",
		"Pacific/Auckland": "NZ",
	}
	if c, ok := zones[z]; ok {
		return countryBox[c], true
	}
	continents := map[string]box{
		"Europe": {34, -25, 72, 45}, "Asia": {-11, 25, 82, 180}, "Africa": {-35, -18, 38, 52},
		"America": {-56, -170, 84, -30}, "Australia": {-45, 112, -10, 155},
	}
	if i := strings.IndexByte(z, '/'); i > 0 {
		b, ok := continents[z[:i]]
		return b, ok
	}
	return box{}, false
}

// carrierBox maps an MCC-MNC code ("46000", "302720") to its country's box.
func carrierBox(code string) (box, bool) {
	if len(code) < 5 {
		return box{}, false
	}
	b, ok := countryBox[mccCountry[code[:3]]]
	return b, ok
}

// localeBox maps a locale with a region ("en_GB", "pt-BR", "zh_CN") to its
// country's box. A bare language ("en") says nothing about a place.
func localeBox(l string) (box, bool) {
	i := strings.LastIndexAny(l, "_-")
	if i < 0 || len(l)-i-1 != 2 {
		return box{}, false
	}
	b, ok := countryBox[strings.ToUpper(l[i+1:])]
	return b, ok
}
