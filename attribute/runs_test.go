package attribute

import (
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/taxonomy"
)

func TestSplitRuns(t *testing.T) {
	inputs := []string{
		"a\nb\nc\nd\n", // 0: extends 2
		"a\n",          // 1
		"a\nb\n",       // 2: extends 1
		"x\ny\n",       // 3: unrelated
		"a\nb",         // 4: incomplete last line, extends 1
	}
	var hs [][][32]byte
	var complete []bool
	for _, in := range inputs {
		h, c, err := lineHashes(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
		complete = append(complete, c)
	}
	want := []struct{ extends, skip int }{{2, 2}, {-1, 0}, {1, 1}, {-1, 0}, {1, 1}}
	got := SplitRuns(hs, complete)
	for i, w := range want {
		if got[i].Extends != w.extends || got[i].SkipLines != w.skip {
			t.Errorf("input %d: got extends %d skip %d, want %d %d", i, got[i].Extends, got[i].SkipLines, w.extends, w.skip)
		}
	}
}

func TestFeatureRecipient(t *testing.T) {
	tests := []struct{ path, host, feature, recipient string }{
		{"/cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport", "", taxonomy.FeatureMiniPrograms, taxonomy.RecipientWeChat},
		{"/cgi-bin/micromsg-bin/findersync", "", taxonomy.FeatureChannels, taxonomy.RecipientWeixin},
		{"/cgi-bin/micromsg-bin/newsendmsg", "szshort.weixin.qq.com", taxonomy.FeatureMessaging, taxonomy.RecipientWeChat},
		{"/cgi-bin/micromsg-bin/newreportkvcomm", "", taxonomy.FeatureTelemetry, taxonomy.RecipientWeChat},
		{"/api/order", "shop.example.com", taxonomy.FeatureOther, taxonomy.RecipientOther},
		{"", "", taxonomy.FeatureOther, taxonomy.RecipientWeChat},
	}
	for _, tt := range tests {
		f := Feature(tt.path)
		if f != tt.feature {
			t.Errorf("Feature(%q) = %q, want %q", tt.path, f, tt.feature)
		}
		if r := Recipient(tt.path, tt.host, f); r != tt.recipient {
			t.Errorf("Recipient(%q, %q) = %q, want %q", tt.path, tt.host, r, tt.recipient)
		}
	}
}

func TestResolveFromData(t *testing.T) {
	tests := []struct {
		name        string
		reqType     int
		uri         string
		found       []classify.Finding
		fields      []classify.Field
		feature     string
		fromContent bool
	}{
		{"catalog type", 1009, "", nil, nil, taxonomy.FeatureMiniPrograms, false},
		{"catalog wins over content", 996, "", []classify.Finding{{DataType: taxonomy.Location, FieldPath: "2"}}, nil, taxonomy.FeatureTelemetry, false},
		{"appid", 90001, "", []classify.Finding{{DataType: taxonomy.Location}, {DataType: taxonomy.MiniProgramID, Value: "wx0123456789abcdef", FieldPath: "3"}}, nil, taxonomy.FeatureMiniPrograms, true},
		{"appid-like but not", 90001, "", []classify.Finding{{DataType: taxonomy.MiniProgramID, Value: "wxid_abc"}}, nil, taxonomy.FeatureOther, false},
		{"search key", 90002, "", nil, []classify.Field{{Path: "17.1", Kind: classify.KindText, Text: "parentSearchID"}}, taxonomy.FeatureSearch, true},
		{"json search key", 90002, "", nil, []classify.Field{{Path: "4.searchId", Kind: classify.KindText, Text: "x"}}, taxonomy.FeatureSearch, true},
		{"coordinates", 90003, "", []classify.Finding{{DataType: taxonomy.Location, FieldPath: "1"}}, nil, taxonomy.FeatureLocation, true},
		{"nothing", 90004, "", []classify.Finding{{DataType: taxonomy.DeviceID}}, nil, taxonomy.FeatureOther, false},
	}
	for _, tt := range tests {
		a := Resolve(nil, tt.reqType, tt.uri, tt.found, tt.fields)
		if a.Feature != tt.feature || (a.Reason != "") != tt.fromContent {
			t.Errorf("%s: got %q (reason %q), want %q", tt.name, a.Feature, a.Reason, tt.feature)
		}
		if !taxonomy.KnownFeature(a.Feature) {
			t.Errorf("%s: %q not in the catalog vocabulary", tt.name, a.Feature)
		}
	}
}

func TestOverlaps(t *testing.T) {
	inputs := []string{
		"a\nb\nc\nd\n",    // 0
		"a\nb\n",          // 1: prefix of 0, no overlap warning
		"d\nc\nb\na\n",    // 2: 0 shuffled
		"x\ny\nz\nw\n",    // 3: unrelated
		"a\nb\nc\nd\n",    // 4: identical to 0
		"a\nq\nr\ns\nt\n", // 5: shares one line of five
	}
	var ls []Lines
	for _, in := range inputs {
		l, err := ReadLines(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	got := map[[2]int]bool{}
	for _, o := range Overlaps(ls) {
		got[[2]int{o.A, o.B}] = true
		if o.Shared > o.Of || o.Of == 0 {
			t.Errorf("bad counts %+v", o)
		}
	}
	want := map[[2]int]bool{{0, 2}: true, {0, 4}: true, {2, 4}: true, {1, 2}: true}
	for k := range want {
		if !got[k] {
			t.Errorf("missing overlap %v", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("unexpected overlap %v", k)
		}
	}
}
