package attribute

import (
	"testing"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/taxonomy"
)

func TestResolveRenamedPath(t *testing.T) {
	// newsendmsg (522) renamed by a later client: the id's feature wins
	// over keywords in the new name; an unknown id keeps the keyword guess.
	a := Resolve(nil, 522, "/cgi-bin/micromsg-bin/newsendmsgv2", nil, nil)
	if a.Feature != taxonomy.FeatureMessaging {
		t.Errorf("renamed newsendmsg: %+v", a)
	}
	a = Resolve(nil, 251, "/cgi-bin/micromsg-bin/statusnotifyv2", nil, nil)
	if a.Feature != taxonomy.FeatureSync || a.Reason == "" {
		t.Errorf("renamed statusnotify: %+v", a)
	}
	a = Resolve(nil, 251, "/cgi-bin/micromsg-bin/statusnotify", nil, nil)
	if a.Feature != taxonomy.FeatureSync || a.Reason != "" {
		t.Errorf("statusnotify: %+v", a)
	}
}

func TestFromData(t *testing.T) {
	rl := func(p string) classify.Field {
		return classify.Field{Path: p, Kind: classify.KindText, Text: "1,2,3", Container: true, Chain: []string{"string", "report_line"}}
	}
	tests := []struct {
		name   string
		found  []classify.Finding
		fields []classify.Field
		want   string
	}{
		{"chat message", []classify.Finding{{DataType: taxonomy.MessageContent, FieldPath: "2.2"}}, nil, taxonomy.FeatureMessaging},
		{"moments post", []classify.Finding{{DataType: taxonomy.MomentsContent, FieldPath: "2.2"}}, nil, taxonomy.FeatureMoments},
		{"image message", []classify.Finding{{DataType: taxonomy.ImageMediaMetadata, FieldPath: "16", Rule: "rule:imgmsg-md5"}}, nil, taxonomy.FeatureMessaging},
		{"an image hash alone says no message", []classify.Finding{{DataType: taxonomy.ImageMediaMetadata, FieldPath: "16", Rule: "detector:md5"}}, nil, ""},
		{"report lines", []classify.Finding{{DataType: taxonomy.MiniProgramID, Value: "wx0123456789abcdef"}}, []classify.Field{rl("4.4.2"), rl("4.5.2")}, taxonomy.FeatureTelemetry},
		{"mini program", []classify.Finding{{DataType: taxonomy.MiniProgramID, Value: "wx0123456789abcdef"}}, nil, taxonomy.FeatureMiniPrograms},
		{"channels by name", nil, []classify.Field{{Path: "3", Kind: classify.KindText, Text: "FinderEntrance"}}, taxonomy.FeatureChannels},
		{"a url mentioning finder is not channels", nil, []classify.Field{{Path: "3", Kind: classify.KindText, Text: "https://x.qq.com/finder/a"}}, ""},
		{"coordinates", []classify.Finding{{DataType: taxonomy.Location, FieldPath: "2.1+2"}}, nil, taxonomy.FeatureLocation},
		{"nothing", nil, []classify.Field{{Path: "1.2", Kind: classify.KindVarint, Uint: 5}}, ""},
	}
	for _, tt := range tests {
		if got, why := fromData(tt.found, tt.fields); got != tt.want || (got != "" && why == "") {
			t.Errorf("%s: got %q (%s), want %q", tt.name, got, why, tt.want)
		}
	}
}
