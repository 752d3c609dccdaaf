package attribute

import (
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// wechatHosts are suffixes of hosts run by WeChat/Tencent for the client.
var wechatHosts = []string{".wechat.com", ".weixin.qq.com", ".qq.com", ".wechatapp.com", ".servicewechat.com", ".qpic.cn", ".tencent.com"}

// Recipient says who receives a request. Requests on WeChat's own API
// (/cgi-bin/micromsg-bin, /cgi-bin/mmbiz-bin, /mmtls) go to WeChat: that
// includes what a Mini Program reports through WeChat, which is WeChat's
// collection, not the developer's. Channels (finder) and Search are WeChat
// servers but services "operated by Weixin" (doc/policy-facts.md), so they get
// RecipientWeixin. A request to a host outside WeChat's domains is the Mini
// Program developer's when feature is miniprograms, else other.
func Recipient(path, host, feature string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	wechatHost := h == ""
	for _, s := range wechatHosts {
		if strings.HasSuffix(h, s) || h == s[1:] {
			wechatHost = true
		}
	}
	onAPI := strings.HasPrefix(path, "/cgi-bin/") || strings.HasPrefix(path, "/mmtls/") || path == ""
	if wechatHost && onAPI {
		if feature == taxonomy.FeatureChannels || feature == taxonomy.FeatureSearch {
			return taxonomy.RecipientWeixin
		}
		return taxonomy.RecipientWeChat
	}
	if wechatHost {
		return taxonomy.RecipientWeChat
	}
	if feature == taxonomy.FeatureMiniPrograms {
		return taxonomy.RecipientMPDeveloper
	}
	return taxonomy.RecipientOther
}
