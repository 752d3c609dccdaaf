package attribute

import "strings"

// Permission states of a run.
const (
	PermOn      = "on"
	PermOff     = "off"
	PermUnknown = "unknown"
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
				return PermOn
			case strings.HasPrefix(rest, "off"), strings.HasPrefix(rest, "denied"):
				return PermOff
			}
		}
	}
	if strings.Contains(s, "no_permission") {
		return PermOff
	}
	return PermUnknown
}
