package classify

import (
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// FuzzDetectorLayouts feeds hostile text through every detector in the layouts
// they look at (report lines, names, adjacent pairs, BaseRequest fields):
// no panic, and every finding's type is in the taxonomy.
func FuzzDetectorLayouts(f *testing.F) {
	for _, s := range []string{"31.2304,121.4737", "wxid_abcdefgh1234", "at a.B.c(B.java:1)", `"Home"`, "iOS16.5", "-33868800", "getLocation:fail auth deny", "SM-G9910"} {
		f.Add(s, "lat")
	}
	c := New(Options{})
	f.Fuzz(func(t *testing.T, s, name string) {
		rl := []string{"string", "report_line", "string"}
		fields := []Field{
			{Path: "1.2", Kind: KindVarint, Uint: uint64(len(s))}, {Path: "1.3", Kind: KindText, Text: s}, {Path: "1.5", Kind: KindText, Text: s},
			{Path: "4.$1", Kind: KindText, Text: s, Chain: rl}, {Path: "4.$2", Kind: KindText, Text: s, Chain: rl},
			{Path: "5." + name, Kind: KindText, Text: s}, {Path: "5.lng", Kind: KindNumber, Text: s},
			{Path: "6.1", Kind: KindText, Text: name}, {Path: "6.2", Kind: KindText, Text: s},
			{Path: "7", Kind: KindBytes, Bytes: []byte(s)},
		}
		for _, fd := range c.Classify(Request{URI: s, ReqType: len(name)}, fields) {
			if !taxonomy.Known(fd.DataType) {
				t.Fatalf("unknown type %q", fd.DataType)
			}
		}
	})
}
