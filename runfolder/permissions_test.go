package runfolder

import "testing"

func TestParsePermissions(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want map[string]string
		bad  bool
	}{
		{nil, nil, false},
		{[]string{"location=on,contacts=off", " camera=unknown "}, map[string]string{"location": "on", "contacts": "off", "camera": "unknown"}, false},
		{[]string{"location=on,"}, map[string]string{"location": "on"}, false},
		{[]string{"location"}, nil, true},
		{[]string{"=on"}, nil, true},
		{[]string{"location=yes"}, nil, true},
	} {
		got, err := ParsePermissions(tt.in)
		if (err != nil) != tt.bad || len(got) != len(tt.want) {
			t.Errorf("%q: got %v, %v", tt.in, got, err)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%q: %s = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

func TestDefaultLabel(t *testing.T) {
	for in, want := range map[string]string{"runs/mp-loc-on/": "mp-loc-on", "runs/x": "x", "x//": "x", `runs\\win\\`: "win"} {
		if got := DefaultLabel(in); got != want {
			t.Errorf("DefaultLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
