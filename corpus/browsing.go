package corpus

import (
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// miniProgramBrowsing reports whether the run sent fine-grained browsing
// data of a Mini Program to WeChat, as the PETS 2025 paper "What WeChat
// Knows" counts it: pages visited, UI events or stay times. A page path is
// enough by itself; UI events and usage statistics (stay times) count
// when the same request names the Mini Program (its appid or user name),
// so that WeChat's own UI reports do not.
func miniProgramBrowsing(rep *report.Report, run string) bool {
	type kinds struct{ mp, page, events bool }
	per := map[int]*kinds{}
	for _, f := range rep.Findings {
		if f.Run != run || (f.Recipient != taxonomy.RecipientWeChat && f.Recipient != taxonomy.RecipientWeixin) {
			continue
		}
		k := per[f.Request]
		if k == nil {
			k = &kinds{}
			per[f.Request] = k
		}
		switch taxonomy.DataType(f.DataType) {
		case taxonomy.MiniProgramPagePath:
			k.page = true
		case taxonomy.MiniProgramID:
			k.mp = true
		case taxonomy.UIEvents, taxonomy.UsageStatistics:
			k.events = true
		}
		if f.AppID != "" {
			k.mp = true
		}
	}
	for _, k := range per {
		if k.page || (k.mp && k.events) {
			return true
		}
	}
	return false
}
