package report

import "strings"

// NormalisePage is the Mini Program page a path names: without a ".html"
// suffix, a query or a leading slash, so that "page/a/index.html?x=1" and
// "/page/a/index" count as one page (doc/claims.md).
func NormalisePage(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.TrimPrefix(p, "/")
	return strings.TrimSuffix(p, ".html")
}
