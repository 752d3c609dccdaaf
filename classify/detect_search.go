// This file finds search text inside URLs that were never split into
// keys: a search page's address reported whole in a report line or a JSON
// value, its query string URL-encoded once or twice
// ("…/websearch/template/app.html?isSug=1&query=…&sessionId=…").

package classify

import (
	"net/url"
	"strings"
)

// searchTextKeys are the query keys search pages put the typed text under.
var searchTextKeys = map[string]bool{
	"query": true, "q": true, "keyword": true, "keywords": true, "kw": true, "wd": true, "word": true,
	"searchquery": true, "searchword": true, "searchkey": true, "search": true, "querystr": true,
}

// maxSearchURL bounds the text searchInURL parses.
const maxSearchURL = 8 << 10

// searchInURL returns the search text of a URL (or bare query string) held
// whole in a text leaf, with the key it was under: only for a search page
// (its path names search) or a query string that itself says it is a
// search (a search id or a suggestion flag), since "q=" and "query=" also
// name database queries and API filters elsewhere.
func searchInURL(f *Field, s string) (string, string, bool) {
	if f.Kind != KindText || len(s) > maxSearchURL || !strings.Contains(s, "=") {
		return "", "", false
	}
	page, query := "", s
	if i := strings.IndexByte(s, '?'); i >= 0 {
		page, query = s[:i], s[i+1:]
	} else if strings.Contains(s, "://") {
		return "", "", false
	}
	if j := strings.IndexByte(query, '#'); j >= 0 {
		query = query[:j]
	}
	search := strings.Contains(strings.ToLower(page), "search")
	var text, key string
	for _, kv := range strings.Split(query, "&") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		lk := strings.ToLower(k)
		if strings.Contains(lk, "searchid") || lk == "issug" || lk == "searchsessionid" {
			search = true
		}
		if text == "" && searchTextKeys[lk] && humanText(v) {
			text, key = v, k
		}
	}
	if !search || text == "" {
		return "", "", false
	}
	return text, key, true
}
