// This file records what a run generated, in the units the claims count
// (doc/claims.md): per Mini Program its sessions, pages, UI events and
// stay times; the requests that carried a location fix; the permission
// states. Generate writes it as truth.json beside manifest.jsonl, so
// tests can check claims.json against what was made, not against what
// the analysis read.

package synth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// FileTruth is the run summary Generate writes beside the manifest.
const FileTruth = "truth.json"

// Truth is truth.json.
type Truth struct {
	Scenario string `json:"scenario"`
	// MiniPrograms holds, per appid, what the user did in it.
	MiniPrograms map[string]*MPTruth `json:"miniprograms"`
	// LocationRequests counts the requests that carried a location fix.
	LocationRequests int `json:"location_requests"`
	// Permissions are the OS permission states of the run ("location":
	// "on" or "off"); absent when the scenario asked for none.
	Permissions map[string]string `json:"permissions"`
}

// MPTruth is one Mini Program's activity, in the claims' units.
type MPTruth struct {
	// Sessions counts launches (each with its own session id).
	Sessions int `json:"sessions"`
	// Pages lists the distinct pages visited (route, no query).
	Pages []string `json:"pages"`
	// UIEvents counts the event records reported to WeChat.
	UIEvents int `json:"ui_events"`
	// StayTimes counts the distinct (page, session) stay times reported.
	StayTimes int `json:"stay_times"`

	stays map[string]bool
}

func newTruth(scenario string) *Truth {
	return &Truth{Scenario: scenario, MiniPrograms: map[string]*MPTruth{}, Permissions: map[string]string{}}
}

func (t *Truth) mp(appid string) *MPTruth {
	m := t.MiniPrograms[appid]
	if m == nil {
		m = &MPTruth{Pages: []string{}, stays: map[string]bool{}}
		t.MiniPrograms[appid] = m
	}
	return m
}

// page notes a page visited.
func (m *MPTruth) page(p string) {
	p = strings.SplitN(p, "?", 2)[0]
	if !slices.Contains(m.Pages, p) {
		m.Pages = append(m.Pages, p)
		slices.Sort(m.Pages)
	}
}

// reported notes the event records of a usage report, each with a stay
// time measured on its page in its session.
func (m *MPTruth) reported(events []pageEvent) {
	for _, e := range events {
		m.UIEvents++
		k := strings.SplitN(e.page, "?", 2)[0] + "\x00" + e.session
		if !m.stays[k] {
			m.stays[k] = true
			m.StayTimes++
		}
	}
}

// countLocation counts the round's requests that carried a fix.
func (t *Truth) countLocation(entries []pendingEntry) {
	for i := range entries {
		for _, p := range entries[i].e.Planted {
			if p.DataType == taxonomy.Location {
				t.LocationRequests++
				break
			}
		}
	}
}

func writeTruth(dir string, t *Truth) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, FileTruth), append(b, '\n'), 0o644)
}

// ReadTruth reads a run folder's truth.json.
func ReadTruth(dir string) (*Truth, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileTruth))
	if err != nil {
		return nil, err
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	return &t, nil
}
