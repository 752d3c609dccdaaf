package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/attribute"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// synthFindings generates every synthetic scenario and turns the manifest's
// planted data (the exact ground truth) into findings.jsonl lines, attributed
// the way analyze attributes requests. A run is a scenario; the Mini Program
// location scenarios have their permission state in the run label.
func synthFindings(t testing.TB) []byte {
	t.Helper()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	for _, sc := range synth.Scenarios() {
		if sc.Name == synth.ScenarioAll {
			continue
		}
		var man bytes.Buffer
		if _, err := synth.GenerateTo(synth.Writers{Capture: io.Discard, Secrets: io.Discard, Frida: io.Discard, Manifest: &man}, synth.Options{Scenario: sc.Name, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		entries, err := synth.ReadManifest(&man)
		if err != nil {
			t.Fatal(err)
		}
		run := sc.Name
		switch sc.Name {
		case "miniprogram-location":
			run += "_permissions_on"
		case "location-denied":
			run += "_permissions_off"
		}
		for i, e := range entries {
			if e.Direction != payload.DirRequest {
				continue
			}
			feature := attribute.Feature(e.URI)
			recipient := attribute.Recipient(e.URI, e.Host, feature)
			for _, p := range e.Planted {
				f := map[string]any{
					"data_type": p.DataType, "confidence": "high", "feature": feature, "recipient": recipient,
					"uri": e.URI, "req_type": e.ReqType, "run": run, "time": e.Time,
					"evidence": map[string]string{"field_path": p.FieldPath, "value": p.Value, "rule": "manifest", "reason": "planted by synth"},
					"source":   fmt.Sprintf("%s/manifest.jsonl:%d", sc.Name, i+1),
				}
				if err := enc.Encode(f); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return out.Bytes()
}

// TestSynthManifest checks the comparison on the synthetic scenarios, whose
// manifest says exactly what was sent: the expected gaps appear
// and the golden of every flow's class holds.
func TestSynthManifest(t *testing.T) {
	flows, err := ReadFindings(bytes.NewReader(synthFindings(t)), "findings.jsonl", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Builtin(WeChat)
	gaps := Evaluate(m, flows, Options{FollowHandoffs: true})

	var mpGap, channelsGap, searchGap, locOn bool
	var lines []string
	for _, g := range gaps {
		switch {
		case strings.HasPrefix(g.DataType, "miniprogram_") && g.Recipient == taxonomy.RecipientWeChat:
			if g.Verdict != IncorrectEntity && g.Verdict != Omitted {
				t.Errorf("Mini Program data to WeChat: %s/%s classed %s", g.DataType, g.Feature, g.Verdict)
			}
			if g.Verdict == IncorrectEntity && g.Clause == "miniprogram-developer" && len(g.ReqTypes) > 0 {
				mpGap = true
			}
		case g.Feature == "channels":
			if g.Verdict != GovernedElsewhere || g.GovernedBy != Weixin {
				t.Errorf("Channels flow %s classed %s", g.DataType, g.Verdict)
			}
			channelsGap = true
		case g.Feature == "search":
			if g.Verdict != GovernedElsewhere {
				t.Errorf("Search flow %s classed %s", g.DataType, g.Verdict)
			}
			searchGap = true
		}
		if g.DataType == "location" {
			if g.Run == "location-denied_permissions_off" {
				t.Errorf("location flow in the permission-denied run: %+v", g)
			}
			if g.Permissions == taxonomy.PermOn && strings.Contains(g.Explanation, "permissions on") {
				locOn = true
			}
		}
		lines = append(lines, fmt.Sprintf("%-18s %-22s %-13s %-22s %-38s %-8s %s", g.Verdict, g.DataType, g.Feature, g.Recipient, g.Run, g.Permissions, g.Clause))
	}
	if !mpGap || !channelsGap || !searchGap || !locOn {
		t.Errorf("missing Done-when gaps: miniprogram %v, channels %v, search %v, location with permissions on %v", mpGap, channelsGap, searchGap, locOn)
	}
	sort.Strings(lines)
	checkGolden(t, "synth-gaps.golden", []byte("# synth scenarios, seed 7, WeChat model: kind data_type feature recipient run permissions clause\n"+strings.Join(lines, "\n")+"\n"))
}
