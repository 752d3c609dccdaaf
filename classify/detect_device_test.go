package classify

import (
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// TestDeviceShapes: the model with its ABI appended, and the device id
// joined to a launch time, name the device wherever they are sent.
func TestDeviceShapes(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		name string
		in   Field
		want []taxonomy.DataType
		not  []taxonomy.DataType
	}{
		{"emulator model and abi", text("3.3", "sdk_gphone64_arm64arm64-v8a"), []taxonomy.DataType{taxonomy.DeviceModel, taxonomy.DeviceHardware}, nil},
		{"samsung model and abi", text("3.3", "SM-G9910arm64-v8a"), []taxonomy.DataType{taxonomy.DeviceModel, taxonomy.DeviceHardware}, nil},
		{"the abi alone is hardware only", text("4.4", "arm64-v8a"), nil, []taxonomy.DataType{taxonomy.DeviceModel}},
		{"a flag naming the abi", text("4.4", "is-arm64-v8a"), nil, []taxonomy.DataType{taxonomy.DeviceModel}},
		{"device id and launch time", inReport(text("4.4.2.$0", "A0123456789abcdf_1700000000123")), []taxonomy.DataType{taxonomy.DeviceID}, nil},
		{"a hex id and a time", inReport(text("4.4.2.$0", "B9543d226cb39f0f_1684412617781")), nil, []taxonomy.DataType{taxonomy.DeviceID}},
		{"a router's name under ssid is no model", Field{Path: "5.ssid", Kind: KindText, Text: "Xiaomi-402B", Chain: []string{"string", "json"}}, []taxonomy.DataType{taxonomy.WiFi}, []taxonomy.DataType{taxonomy.DeviceModel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(Request{}, []Field{tt.in})
			for _, dt := range tt.want {
				if !has(got, dt) {
					t.Errorf("missing %s: %+v", dt, got)
				}
			}
			for _, dt := range tt.not {
				if has(got, dt) {
					t.Errorf("unexpected %s: %+v", dt, got)
				}
			}
		})
	}
}

// TestBehaviourSpellings: the same user actions and moments under other
// spellings clients use.
func TestBehaviourSpellings(t *testing.T) {
	c := New(Options{})
	js := func(path, s string) Field {
		return Field{Path: path, Kind: KindText, Text: s, Chain: []string{"string", "json"}}
	}
	tests := []struct {
		name string
		in   Field
		want taxonomy.DataType
		ok   bool
	}{
		{"send time", js("2.sendTime", "1684414575"), taxonomy.ActivityTimestamps, true},
		{"click timestamp in ms", js("2.click_timestamp", "1684414575123"), taxonomy.ActivityTimestamps, true},
		{"a send time that is no time", js("2.sendTime", "3"), taxonomy.ActivityTimestamps, false},
		{"double tap in a report", inReport(text("4.$3", "doubleTap")), taxonomy.UIEvents, true},
		{"pull to refresh", inReport(text("4.$3", "pullDownRefresh")), taxonomy.UIEvents, true},
		{"clk key", js("2.clk_pos", "3"), taxonomy.UIEvents, true},
		{"a word that only starts like an action", inReport(text("4.$3", "clickable")), taxonomy.UIEvents, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Classify(Request{}, []Field{tt.in}); has(got, tt.want) != tt.ok {
				t.Fatalf("%s %v, want %v: %+v", tt.want, !tt.ok, tt.ok, got)
			}
		})
	}
}

// TestUserAgentSoftware: a user agent is system software only when it names
// software beyond the OS version.
func TestUserAgentSoftware(t *testing.T) {
	c := New(Options{})
	for _, tt := range []struct {
		ua   string
		want bool
	}{
		{"Dalvik/2.1.0 (Linux; U; Android 12; sdk_gphone64_arm64 Build/S2B2.211203.006)", true},
		{"Mozilla/5.0 (Linux; Android 13; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Mobile Safari/537.36", true},
		{"Mozilla/5.0 (Linux; Android 12)", false},
	} {
		got := c.Classify(Request{}, []Field{text("2.ua", tt.ua)})
		if has(got, taxonomy.SystemSoftware) != tt.want || !has(got, taxonomy.OSVersion) {
			t.Errorf("%q: system_software %v, want %v (and os_version): %+v", tt.ua, !tt.want, tt.want, got)
		}
	}
}
