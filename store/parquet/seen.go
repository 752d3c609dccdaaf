package parquet

import (
	"slices"

	"github.com/wxaudit/wxaudit/claims"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// seen is what a run's requests show about the run, each list sorted and
// without repeats.
type seen struct {
	// miniPrograms are the appids the run exercised, in
	// miniprogram_tracking's units (doc/claims.md): launched (a session
	// stated for the appid) or with activity sent to WeChat (a page, UI
	// event or stay time). An appid only named (in a package, version or
	// configuration line, a plugin download, an API name) is not one.
	miniPrograms []string
	features     []string
	// The device and WeChat build as the requests state them (the values
	// of device_model, os_version and client_version findings), beside
	// what run.yaml states.
	deviceModels, osVersions, clientVersions []string
}

func runSeen(label string, rep *report.Report) seen {
	sets := map[*[]string]map[string]bool{}
	var s seen
	add := func(list *[]string, v string) {
		if v == "" {
			return
		}
		if sets[list] == nil {
			sets[list] = map[string]bool{}
		}
		if !sets[list][v] {
			sets[list][v] = true
			*list = append(*list, v)
		}
	}
	if rep != nil {
		for _, q := range rep.Requests {
			if q.Run == label {
				add(&s.features, q.Feature)
			}
		}
		for i := range rep.Findings {
			f := &rep.Findings[i]
			if f.Run != label {
				continue
			}
			if f.AppID != "" && (f.MPSession != "" || claims.IsActivity(f)) {
				add(&s.miniPrograms, f.AppID)
			}
			switch taxonomy.DataType(f.DataType) {
			case taxonomy.DeviceModel:
				add(&s.deviceModels, f.Evidence.Value)
			case taxonomy.OSVersion:
				add(&s.osVersions, f.Evidence.Value)
			case taxonomy.ClientVersion:
				add(&s.clientVersions, f.Evidence.Value)
			}
		}
	}
	for _, l := range []*[]string{&s.miniPrograms, &s.features, &s.deviceModels, &s.osVersions, &s.clientVersions} {
		*l = nonNil(*l)
		slices.Sort(*l)
	}
	return s
}
