package attribute

import (
	"strconv"
	"strings"
	"sync"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/internal/lazyre"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// defaultCatalog is parsed once: Feature is called per request.
var defaultCatalog = sync.OnceValue(catalog.Default)

// Feature names the app feature of an API path from the embedded catalog
// (catalog.Catalog.Feature): catalog.FeatureOther when the path says
// nothing.
func Feature(path string) string { return defaultCatalog().Feature(path) }

// Attribution is where a request belongs.
type Attribution struct {
	Path    string // API path: the URI, else the catalog's for the request type
	Feature string // one of catalog.FeatureNames
	// Reason says why, when the feature came from the request's content
	// rather than the catalog; "" otherwise.
	Reason string
}

// Resolve attributes a request. The catalog decides from the URI or the
// request type (nil cat means the embedded one). Only when it cannot
// (catalog.FeatureOther: no path, or a path no rule knows) does what the
// request carries decide, through fromData; found and fields are the
// request's findings and decoded leaves, and may be nil.
func Resolve(cat *catalog.Catalog, reqType int, uri string, found []classify.Finding, fields []classify.Field) Attribution {
	if cat == nil {
		cat = defaultCatalog()
	}
	path, feature := cat.Resolve(reqType, uri)
	a := Attribution{Path: path, Feature: feature}
	// A path the catalog does not list, sent with a request id it does
	// (a later client renamed the endpoint: newsendmsg → newsendmsgv2): the
	// id's endpoint knows the feature better than keywords in the new name.
	if uri != "" && reqType != 0 && !knownPath(cat, uri) {
		if idPath := cat.Path(reqType); idPath != "" {
			if f := cat.Feature(idPath); f != taxonomy.FeatureOther {
				a.Feature = f
				if f != feature {
					a.Reason = "path unknown to the catalog; the feature of request type " + strconv.Itoa(reqType) + " (" + idPath + ")"
				}
			}
		}
	}
	if a.Feature == taxonomy.FeatureOther {
		if f, why := fromData(found, fields); f != "" {
			a.Feature, a.Reason = f, why
		}
	}
	return a
}

// knownPaths caches, per catalog, the set of API paths it lists.
var knownPaths sync.Map // *catalog.Catalog → map[string]bool

// knownPath reports whether the catalog lists uri as an endpoint's path.
// Catalogs are not modified once analysis starts, so the set is built once.
func knownPath(cat *catalog.Catalog, uri string) bool {
	v, ok := knownPaths.Load(cat)
	if !ok {
		m := map[string]bool{}
		for _, e := range cat.Endpoints() {
			m[e.Path] = true
		}
		v, _ = knownPaths.LoadOrStore(cat, m)
	}
	return v.(map[string]bool)[uri]
}

// appIDRe is a Mini Program appid; ghAppRe a Mini Program's user name.
var (
	appIDRe = lazyre.New(`^wx[0-9a-f]{16}$`)
	ghAppRe = lazyre.New(`^gh_[0-9a-f]{12}@app$`)
)

// fromData names the feature a request serves from what it carries, for
// requests the catalog cannot place, or returns "" when the content does
// not say. It looks for the subject of the request, not incidental
// metadata (every request carries the BaseRequest), in this order:
//
//   - a chat message (message_content): messaging;
//   - a Moments post or comment (moments_content): moments;
//   - client report lines (kv reports): telemetry, the reports' own
//     feature whatever they mention;
//   - a Mini Program appid or user name: the request is about a Mini
//     Program (a Mini Program's own location or login call is part of
//     using it), so miniprograms;
//   - a search query or a search session id (a key named like
//     "parentSearchID"): search;
//   - Channels' internal name, "finder", in a key or a short value
//     ("FinderEntrance", "finderUsername"): channels;
//   - coordinates: location.
func fromData(found []classify.Finding, fields []classify.Field) (feature, reason string) {
	for _, f := range found {
		switch f.DataType {
		case taxonomy.MessageContent:
			return taxonomy.FeatureMessaging, "carries a chat message at " + f.FieldPath
		case taxonomy.MomentsContent:
			return taxonomy.FeatureMoments, "carries a Moments post at " + f.FieldPath
		case taxonomy.ImageMediaMetadata:
			// The image-message rules (rules.yaml, imgmsg-*) read a
			// message's own media fields: the request sends a message.
			if strings.HasPrefix(f.Rule, "rule:imgmsg") {
				return taxonomy.FeatureMessaging, "carries an image message's metadata at " + f.FieldPath
			}
		}
	}
	lines := 0
	for i := range fields {
		if fields[i].Container && len(fields[i].Chain) > 0 && fields[i].Chain[len(fields[i].Chain)-1] == "report_line" {
			lines++
		}
	}
	if lines >= 2 {
		return taxonomy.FeatureTelemetry, "carries " + strconv.Itoa(lines) + " client report lines"
	}
	for _, f := range found {
		if f.DataType == taxonomy.MiniProgramID && (appIDRe.MatchString(f.Value) || ghAppRe.MatchString(f.Value)) {
			return taxonomy.FeatureMiniPrograms, "carries Mini Program " + f.Value + " at " + f.FieldPath
		}
	}
	for _, f := range found {
		if f.DataType == taxonomy.SearchQuery {
			return taxonomy.FeatureSearch, "carries a search query at " + f.FieldPath
		}
	}
	for i := range fields {
		if k := searchKey(&fields[i]); k != "" {
			return taxonomy.FeatureSearch, "carries a search session id (" + k + ") at " + fields[i].Path
		}
	}
	for i := range fields {
		if w := finderWord(&fields[i]); w != "" {
			return taxonomy.FeatureChannels, "names Channels by its internal name (" + w + ") at " + fields[i].Path
		}
	}
	for _, f := range found {
		if f.DataType == taxonomy.Location || f.DataType == taxonomy.CoarseLocation {
			return taxonomy.FeatureLocation, "carries coordinates at " + f.FieldPath
		}
	}
	return "", ""
}

// finderWord returns the key or short text of f that names Channels
// ("finder" is its name inside the client), or "". URLs and long texts
// only mention it.
func finderWord(f *classify.Field) string {
	cands := []string{f.Path[strings.LastIndexByte(f.Path, '.')+1:]}
	if f.Kind == classify.KindText && !f.Container && len(f.Text) <= 48 && !strings.Contains(f.Text, "/") {
		cands = append(cands, f.Text)
	}
	for _, c := range cands {
		if strings.Contains(strings.ToLower(c), "finder") {
			return c
		}
	}
	return ""
}

// searchKey returns the key name when f names a search session id: either
// a JSON/query key (last path component) or a key string of a protobuf
// key/value pair.
func searchKey(f *classify.Field) string {
	cands := []string{f.Path[strings.LastIndexByte(f.Path, '.')+1:]}
	if f.Kind == classify.KindText && !f.Container && len(f.Text) <= 40 {
		cands = append(cands, f.Text)
	}
	for _, c := range cands {
		l := strings.ToLower(c)
		if strings.HasSuffix(l, "searchid") || strings.HasSuffix(l, "search_id") || l == "searchsessionid" {
			return c
		}
	}
	return ""
}
