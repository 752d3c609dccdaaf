package runfolder

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const example = `version: 1
label: mp-location-on
permissions: {location: on, contacts: off}
device: {model: "Google Pixel 7", android: "14", abi: arm64-v8a}
app: {package: com.tencent.mm, version: "8.0.56"}
category: health
capture: capture.pcapng
keylogs: [keys.log]
started: 2026-12-02T10:00:00Z
steps:
  - {name: "open the Mini Program", time: 2026-12-02T10:01:02Z}
`

func TestParse(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	full := &Run{Version: 1, Label: "mp-location-on", Permissions: map[string]string{"location": On, "contacts": Off},
		Device: Device{Model: "Google Pixel 7", Android: "14", ABI: "arm64-v8a"}, App: App{Package: "com.tencent.mm", Version: "8.0.56"},
		Category: "health", Capture: "capture.pcapng", Keylogs: []string{"keys.log"}, Started: t0,
		Steps: []Step{{Name: "open the Mini Program", Time: t0.Add(62 * time.Second)}}}
	tests := []struct {
		name, in string
		want     *Run
		wantErr  string
	}{
		{"full", example, full, ""},
		{"minimal", "version: 1\n", &Run{Version: 1}, ""},
		{"unknown field", "version: 1\nlabl: x\n", nil, "line 2: field labl not found"},
		{"unknown nested field", "version: 1\ndevice: {modle: x}\n", nil, "field modle not found"},
		{"no version", "label: x\n", nil, "version is missing"},
		{"version 2", "version: 2\n", nil, "unsupported version 2"},
		{"bad permission", "version: 1\npermissions: {location: yes}\n", nil, `value "yes" is not on, off or unknown`},
		{"capture outside", "version: 1\ncapture: ../x.pcap\n", nil, "not a file name inside the folder"},
		{"keylog outside", "version: 1\nkeylogs: [/etc/passwd]\n", nil, "not a file name inside the folder"},
		{"step without name", "version: 1\nsteps: [{time: 2026-12-02T10:01:02Z}]\n", nil, "step 1 has no name"},
		{"empty", "", nil, "empty file"},
		{"two documents", "version: 1\n---\nversion: 1\n", nil, "more than one YAML document"},
		{"too large", "version: 1\n#" + strings.Repeat("x", MaxSize) + "\n", nil, "larger than"},
		{"not a mapping", "- 1\n", nil, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatalf("got %+v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	r, err := Parse(strings.NewReader(example))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if d := cmp.Diff(r, back); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	if _, err := Marshal(&Run{Version: 1, Permissions: map[string]string{"location": "maybe"}}); err == nil {
		t.Error("Marshal accepted a permission value readers reject")
	}
	min, err := Marshal(&Run{Version: 1})
	if err != nil || string(min) != "version: 1\n" {
		t.Errorf("minimal = %q, %v", min, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(example)
	f.Add("version: 1\n")
	f.Add("version: 1\nsteps: [{name: a, time: 2026-12-02T10:01:02Z}]\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := Parse(strings.NewReader(in))
		if err != nil {
			if r != nil {
				t.Fatal("result with error")
			}
			return
		}
		b, err := Marshal(r)
		if err != nil {
			t.Fatalf("parsed but does not marshal: %v", err)
		}
		back, err := Parse(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("marshalled form does not parse: %v\n%s", err, b)
		}
		if d := cmp.Diff(r, back, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("round trip (-want +got)\n%s", d)
		}
	})
}
