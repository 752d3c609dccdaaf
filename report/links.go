package report

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wxaudit/wxaudit/internal/lazyre"
)

var (
	hrefAttr = lazyre.New(`href="([^"]*)"`)
	idAttr   = lazyre.New(`id="([^"]*)"`)
)

// DanglingLinks checks every link of the HTML pages of a report directory
// and returns those whose page or anchor does not exist ("page#anchor").
// Links leaving the directory are reported too: a report links nowhere else
// but to the study it tests (StudyURL), which a reader must be able to
// open.
func DanglingLinks(dir string) ([]string, error) {
	pages, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return nil, err
	}
	ids := map[string]map[string]bool{}
	hrefs := map[string][]string{}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(p)
		ids[name] = map[string]bool{}
		for _, m := range idAttr.FindAllSubmatch(b, -1) {
			ids[name][string(m[1])] = true
		}
		for _, m := range hrefAttr.FindAllSubmatch(b, -1) {
			hrefs[name] = append(hrefs[name], strings.ReplaceAll(string(m[1]), "&amp;", "&"))
		}
	}
	var bad []string
	for page, hs := range hrefs {
		for _, h := range hs {
			if h == StudyURL {
				continue
			}
			target, anchor, _ := strings.Cut(h, "#")
			if target == "" {
				target = page
			}
			if strings.Contains(target, "/") || strings.Contains(target, ":") || ids[target] == nil {
				bad = append(bad, fmt.Sprintf("%s: %s (no such page)", page, h))
				continue
			}
			if anchor != "" && !ids[target][anchor] {
				bad = append(bad, fmt.Sprintf("%s: %s (no such anchor)", page, h))
			}
		}
	}
	sort.Strings(bad)
	return bad, nil
}
