package attribute

import (
	"testing"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/classify"
)

func TestResolveRenamedPath(t *testing.T) {
	// newsendmsg (522) renamed by a later client: the id's feature wins
	// over keywords in the new name; an unknown id keeps the keyword guess.
	a := Resolve(nil, 522, "/cgi-bin/micromsg-bin/newsendmsgv2", nil, nil)
	if a.Feature != catalog.FeatureMessaging {
		t.Errorf("renamed newsendmsg: %+v", a)
	}
	a = Resolve(nil, 251, "/cgi-bin/micromsg-bin/statusnotifyv2", nil, nil)
	if a.Feature != catalog.FeatureSync || a.Reason == "" {
		t.Errorf("renamed statusnotify: %+v", a)
	}
	a = Resolve(nil, 251, "/cgi-bin/micromsg-bin/statusnotify", nil, nil)
	if a.Feature != catalog.FeatureSync || a.Reason != "" {
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
		{"chat message", []classify.Finding{{DataType: classify.MessageContent, FieldPath: "2.2"}}, nil, catalog.FeatureMessaging},
		{"moments post", []classify.Finding{{DataType: classify.MomentsContent, FieldPath: "2.2"}}, nil, catalog.FeatureMoments},
		{"report lines", []classify.Finding{{DataType: classify.MiniProgramID, Value: "wx0123456789abcdef"}}, []classify.Field{rl("4.4.2"), rl("4.5.2")}, catalog.FeatureTelemetry},
		{"mini program", []classify.Finding{{DataType: classify.MiniProgramID, Value: "wx0123456789abcdef"}}, nil, catalog.FeatureMiniPrograms},
		{"channels by name", nil, []classify.Field{{Path: "3", Kind: classify.KindText, Text: "FinderEntrance"}}, catalog.FeatureChannels},
		{"a url mentioning finder is not channels", nil, []classify.Field{{Path: "3", Kind: classify.KindText, Text: "https://x.qq.com/finder/a"}}, ""},
		{"coordinates", []classify.Finding{{DataType: classify.Location, FieldPath: "2.1+2"}}, nil, catalog.FeatureLocation},
		{"nothing", nil, []classify.Field{{Path: "1.2", Kind: classify.KindVarint, Uint: 5}}, ""},
	}
	for _, tt := range tests {
		if got, why := FromData(tt.found, tt.fields); got != tt.want || (got != "" && why == "") {
			t.Errorf("%s: got %q (%s), want %q", tt.name, got, why, tt.want)
		}
	}
}
