package attribute

import "strings"

// Features, the vocabulary shared with the policy models.
const (
	FeatureMiniPrograms = "miniprograms"
	FeatureChannels     = "channels"
	FeatureSearch       = "search"
	FeatureMoments      = "moments"
	FeatureMessaging    = "messaging"
	FeatureContacts     = "contacts"
	FeatureLocation     = "location"
	FeatureLogin        = "login"
	FeatureSync         = "sync"
	FeatureConfig       = "config"
	FeatureTelemetry    = "telemetry"
	FeaturePayments     = "payments"
	FeatureOther        = "other"
)

// reqTypePaths fills in API paths for request types whose log lines carry no
// path; learned from the published table and from logs where the same id
// appears with its path. Only ids with one unambiguous path are listed.
var reqTypePaths = map[int]string{
	138: "/cgi-bin/micromsg-bin/newsync", 209: "/cgi-bin/micromsg-bin/mmsnspost",
	211: "/cgi-bin/micromsg-bin/mmsnstimeline", 212: "/cgi-bin/micromsg-bin/mmsnsuserpage",
	216: "/cgi-bin/micromsg-bin/androidfcmreg", 251: "/cgi-bin/micromsg-bin/statusnotify",
	379: "/cgi-bin/micromsg-bin/getcdndns", 522: "/cgi-bin/micromsg-bin/newsendmsg",
	681: "/cgi-bin/micromsg-bin/oplog", 702: "/cgi-bin/micromsg-bin/autoauth",
	716: "/cgi-bin/micromsg-bin/rtkvreport", 721: "/cgi-bin/micromsg-bin/checkresupdate",
	763: "/cgi-bin/micromsg-bin/secautoauth", 784: "/cgi-bin/micromsg-bin/secencryptcheckresupdate",
	997:  "/cgi-bin/micromsg-bin/newreportkvcomm",
	1009: "/cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport", 1029: "/cgi-bin/mmbiz-bin/js-login",
	1133: "/cgi-bin/mmbiz-bin/js-operatewxdata", 1157: "/cgi-bin/mmbiz-bin/js-authorize",
	1192: "/cgi-bin/mmbiz-bin/wxaattr/batchwxaattrsync", 1714: "/cgi-bin/mmbiz-bin/wxaruntime/verifyplugin",
	2946: "/cgi-bin/mmbiz-bin/wxartrappsvr/route", 3565: "/cgi-bin/micromsg-bin/findersync",
	3930: "/cgi-bin/micromsg-bin/finderinit", 6238: "/cgi-bin/micromsg-bin/getnetworkinfo",
}

// PathFor returns the API path of a request: uri when known, else the path
// learned for reqType, else "".
func PathFor(uri string, reqType int) string {
	if uri != "" {
		return uri
	}
	return reqTypePaths[reqType]
}

// featureWords maps words of an API path to a feature, first match wins;
// order matters (finder before sync, wxa before report).
var featureWords = []struct{ word, feature string }{
	{"finder", FeatureChannels},
	{"/wxa", FeatureMiniPrograms}, {"wxaapp", FeatureMiniPrograms}, {"/js-", FeatureMiniPrograms},
	{"wxartrappsvr", FeatureMiniPrograms}, {"wxausrevent", FeatureMiniPrograms}, {"wxaruntime", FeatureMiniPrograms},
	{"wxaattr", FeatureMiniPrograms}, {"appbrand", FeatureMiniPrograms},
	{"mmsearch", FeatureSearch}, {"websearch", FeatureSearch}, {"searchcontact", FeatureContacts},
	{"mmsns", FeatureMoments}, {"/sns", FeatureMoments},
	{"sendmsg", FeatureMessaging}, {"uploadmsgimg", FeatureMessaging}, {"uploadvideo", FeatureMessaging},
	{"uploadvoice", FeatureMessaging}, {"statusnotify", FeatureMessaging}, {"revokemsg", FeatureMessaging},
	{"chatroom", FeatureMessaging}, {"getcontact", FeatureContacts}, {"contact", FeatureContacts},
	{"tenpay", FeaturePayments}, {"pay", FeaturePayments},
	{"getlocimg", FeatureLocation}, {"lbs", FeatureLocation}, {"trackroom", FeatureLocation},
	{"auth", FeatureLogin}, {"login", FeatureLogin}, {"newreg", FeatureLogin}, {"logout", FeatureLogin},
	{"bindopmobile", FeatureLogin}, {"fcmreg", FeatureLogin}, {"queryhaspasswd", FeatureLogin},
	{"report", FeatureTelemetry}, {"oplog", FeatureTelemetry}, {"kvcomm", FeatureTelemetry},
	{"newsync", FeatureSync}, {"bypsync", FeatureSync}, {"/sync", FeatureSync},
	{"checkresupdate", FeatureConfig}, {"getcdndns", FeatureConfig}, {"config", FeatureConfig},
	{"getnetworkinfo", FeatureConfig}, {"getcert", FeatureConfig},
}

// Feature names the app feature a request belongs to from its API path (see
// PathFor): FeatureOther when the path says nothing.
func Feature(path string) string {
	p := strings.ToLower(path)
	if p == "" {
		return FeatureOther
	}
	for _, fw := range featureWords {
		if strings.Contains(p, fw.word) {
			return fw.feature
		}
	}
	return FeatureOther
}
