package attribute

import (
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// RunPermissions guesses a run's permission state from its label the way the
// published logs are named ("startup_permissions_on_1"); it never says more
// than the label does.
func RunPermissions(label string) string {
	s := strings.NewReplacer("-", "_", " ", "_", ".", "_").Replace(strings.ToLower(label))
	for _, w := range []string{"permissions_", "permission_", "perms_", "perm_"} {
		if i := strings.Index(s, w); i >= 0 {
			rest := s[i+len(w):]
			switch {
			case strings.HasPrefix(rest, "on"), strings.HasPrefix(rest, "granted"):
				return taxonomy.PermOn
			case strings.HasPrefix(rest, "off"), strings.HasPrefix(rest, "denied"):
				return taxonomy.PermOff
			}
		}
	}
	if strings.Contains(s, "no_permission") {
		return taxonomy.PermOff
	}
	return taxonomy.PermUnknown
}

// PermissionState reads one permission's state from a run's permission
// field: "on", "off" and "unknown" apply to every permission; a list like
// "location=on,contacts=off" names them one by one (a permission it does
// not name is unknown).
func PermissionState(runPermissions, permission string) string {
	s := strings.TrimSpace(runPermissions)
	switch s {
	case taxonomy.PermOn, taxonomy.PermOff:
		return s
	case "", taxonomy.PermUnknown:
		return taxonomy.PermUnknown
	}
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), permission) {
			switch v = strings.TrimSpace(v); v {
			case taxonomy.PermOn, taxonomy.PermOff:
				return v
			}
		}
	}
	return taxonomy.PermUnknown
}

// ValidPermissions reports whether s is a permission field: on, off,
// unknown, or a list of NAME=on|off|unknown.
func ValidPermissions(s string) bool {
	switch strings.TrimSpace(s) {
	case taxonomy.PermOn, taxonomy.PermOff, taxonomy.PermUnknown:
		return true
	}
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || strings.ContainsAny(k, " \t") || (v != taxonomy.PermOn && v != taxonomy.PermOff && v != taxonomy.PermUnknown) {
			return false
		}
	}
	return true
}
