package attribute

import (
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
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
		h, c, err := LineHashes(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
		complete = append(complete, c)
	}
	want := []struct{ extends, skip int }{{2, 2}, {-1, 0}, {1, 1}, {-1, 0}, {1, 1}}
	got := Segments(hs, complete)
	for i, w := range want {
		if got[i].Extends != w.extends || got[i].SkipLines != w.skip {
			t.Errorf("input %d: got extends %d skip %d, want %d %d", i, got[i].Extends, got[i].SkipLines, w.extends, w.skip)
		}
	}
}

func TestFeatureRecipient(t *testing.T) {
	tests := []struct{ path, host, feature, recipient string }{
		{"/cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport", "", FeatureMiniPrograms, RecipientWeChat},
		{"/cgi-bin/micromsg-bin/findersync", "", FeatureChannels, RecipientWeixin},
		{"/cgi-bin/micromsg-bin/newsendmsg", "szshort.weixin.qq.com", FeatureMessaging, RecipientWeChat},
		{"/cgi-bin/micromsg-bin/newreportkvcomm", "", FeatureTelemetry, RecipientWeChat},
		{"/api/order", "shop.example.com", FeatureOther, RecipientOther},
		{"", "", FeatureOther, RecipientWeChat},
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
