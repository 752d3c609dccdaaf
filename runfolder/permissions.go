package runfolder

import (
	"fmt"
	"strings"
)

// ParsePermissions reads the --permissions grammar of a run, NAME=on|off|unknown
// separated by commas, from one or more flag values, into Run.Permissions
// (nil when none is given).
func ParsePermissions(list []string) (map[string]string, error) {
	m := map[string]string{}
	for _, item := range list {
		for _, kv := range strings.Split(item, ",") {
			if kv = strings.TrimSpace(kv); kv == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			switch {
			case !ok || k == "":
				return nil, fmt.Errorf("permission %q: want name=on|off|unknown", kv)
			case v != On && v != Off && v != Unknown:
				return nil, fmt.Errorf("permission %q: state %q is not on, off or unknown", k, v)
			}
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// DefaultLabel is the label of a run recorded into folder dir when none is
// given: the folder's name.
func DefaultLabel(dir string) string {
	l := strings.TrimRight(dir, `/\`)
	if i := strings.LastIndexAny(l, `/\`); i >= 0 {
		l = l[i+1:]
	}
	return l
}
