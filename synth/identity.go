// This file draws the planted personal data of one synthetic user from the
// seed: the values the scenarios put into payloads and the manifest lists
// under the taxonomy names of the analysis stage (package taxonomy).

package synth

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
)

// rng is the only source of randomness of a generation run. Every value in
// the output follows from Options.Seed through it, so equal seeds give
// byte-identical captures.
type rng struct{ *rand.Rand }

func newRNG(seed int64, stream uint64) *rng {
	return &rng{rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15^stream))}
}

// hex returns n random lowercase hex digits.
func (r *rng) hex(n int) string {
	b := make([]byte, (n+1)/2)
	r.fill(b)
	return hex.EncodeToString(b)[:n]
}

func (r *rng) fill(b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, r.Uint64())
		b = b[8:]
	}
	if len(b) > 0 {
		var t [8]byte
		binary.LittleEndian.PutUint64(t[:], r.Uint64())
		copy(b, t[:])
	}
}

// Read fills p: the rng is the io.Reader the mmtls endpoints and the
// business sealers draw their randomness from.
func (r *rng) Read(p []byte) (int, error) {
	r.fill(p)
	return len(p), nil
}

func (r *rng) bytes(n int) []byte {
	b := make([]byte, n)
	r.fill(b)
	return b
}

func pick[T any](r *rng, xs []T) T { return xs[r.IntN(len(xs))] }

// between returns a uniform integer in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// miniProgram is one Mini Program the synthetic user opens.
type miniProgram struct {
	AppID    string   // "wx" + 16 hex digits
	Name     string   // display name
	Username string   // "gh_" + 12 hex digits, the Mini Program's account
	Pages    []string // page paths, the first is the entry page
}

// identity is the synthetic user and device of a run: every value a
// scenario may plant. It is drawn once per run from the seed; repeated
// rounds (Options.Size) reuse it, as one phone would.
type identity struct {
	Uin           uint32
	Wxid          string
	Nickname      string
	DeviceID      string // "A" + 15 hex digits
	Manufacturer  string
	Model         string
	Hardware      string // SoC / board string
	AndroidAPI    int    // e.g. 33, sent as "android-33"
	AndroidRel    string // e.g. "13"
	ClientVersion uint32
	Language      string
	Timezone      string
	Carrier       string // MCC+MNC
	ClientIP      [4]byte
	SSID          string
	BSSID         string
	Lat, Lon      float64 // precise location, 6 decimals
	City          string
	PushToken     string
	Contacts      []string // wxids of friends
	MiniPrograms  []miniProgram
	Queries       []string
	Messages      []string
	MomentsTexts  []string
	OpenID        string // a Mini Program's per-user id (third_party_user_id)
}

// DeviceType is the BaseRequest device type string, e.g. "android-33".
func (id *identity) DeviceType() string { return fmt.Sprintf("android-%d", id.AndroidAPI) }

// ClientVersionString renders the client version as WeChat's about page
// does (0x28003133 -> "8.0.49"): major.minor.patch from the nibbles/bytes.
func (id *identity) ClientVersionString() string {
	v := id.ClientVersion
	return fmt.Sprintf("%d.%d.%d", v>>24&0x0f, v>>16&0xff, v>>8&0xff)
}

var (
	devices = []struct{ manufacturer, model, hardware string }{
		{"Google", "Pixel 7", "tensor gs201"},
		{"Xiaomi", "Mi 11", "qcom sm8350"},
		{"samsung", "SM-G9910", "qcom lahaina"},
		{"HUAWEI", "ELS-AN00", "kirin990"},
		{"OPPO", "PEEM00", "mt6893"},
		{"vivo", "V2055A", "qcom kona"},
	}
	nicknames = []string{"小明", "Alice Chen", "阿杰", "Lily", "王小红", "Tom Lee"}
	languages = []string{"zh_CN", "en", "zh_TW", "zh_HK"}
	// carrierNames and carrierAPNs are the operator name and access point
	// the phone reports next to its MCC-MNC.
	carrierNames = map[string]string{"46000": "China Mobile", "46001": "China Unicom", "46011": "China Telecom", "302720": "Rogers", "45400": "CSL",
		"23410": "O2 - UK", "20801": "Orange F", "40410": "Airtel", "72405": "Claro BR", "63902": "Safaricom", "25001": "MTS RUS", "50501": "Telstra"}
	carrierAPNs = map[string]string{"46000": "cmnet", "46001": "3gnet", "46011": "ctnet", "302720": "ltemobile.apn", "45400": "mobile.lte.three.com.hk",
		"23410": "mobile.o2.co.uk", "20801": "orange", "40410": "airtelgprs.com", "72405": "claro.com.br", "63902": "safaricom", "25001": "internet.mts.ru", "50501": "telstra.internet"}
	mpNames = []string{"美团外卖", "Tencent Maps", "拼多多", "Ride Hailing", "Metro Ticket", "Coffee Order", "健康码", "Cinema"}
	mpPages = []string{
		"pages/index/index", "pages/home/home", "pages/detail/detail?id=%d",
		"pages/order/confirm", "pages/map/nearby?lat=0", "pages/search/result?kw=%d",
		"pages/user/profile", "packageA/pages/list/list?page=%d", "pages/pay/checkout",
	}
	queryWords = []string{"附近的咖啡", "weather tomorrow", "深圳 地铁 时间", "cheap flights", "新闻", "火锅 推荐",
		"how to renew passport", "电影票", "pharmacy open now", "租房 南山"}
	messageTexts = []string{"今晚一起吃饭吗？", "See you at 7 tonight", "收到，谢谢！", "Can you send me the address?",
		"我在路上了", "Happy birthday! 🎂", "明天开会改到下午三点", "ok 👍"}
	momentsTexts = []string{"周末去爬山了 ⛰️", "Best dumplings in town", "新的一年，新的开始", "Sunset from the office",
		"和朋友们的聚会 🎉", "First day at the new job!"}
)

// newIdentity draws the user of a run.
func newIdentity(r *rng) *identity {
	d := pick(r, devices)
	c := pick(r, cities)
	id := &identity{
		Uin:           uint32(r.between(100000000, 2100000000)),
		Wxid:          "wxid_" + strings.ToLower(r.hex(14)),
		Nickname:      pick(r, nicknames),
		DeviceID:      "A" + r.hex(15),
		Manufacturer:  d.manufacturer,
		Model:         d.model,
		Hardware:      d.hardware,
		AndroidAPI:    r.between(29, 34),
		ClientVersion: 0x28000000 | uint32(r.between(20, 49))<<8 | uint32(r.between(0x10, 0x3f)),
		Language:      pick(r, languages),
		Timezone:      c.zone,
		Carrier:       c.carrier,
		ClientIP:      [4]byte{192, 168, byte(r.between(0, 9)), byte(r.between(2, 250))},
		SSID:          fmt.Sprintf("%s-%s", pick(r, []string{"TP-LINK", "ChinaNet", "HomeWiFi", "Xiaomi"}), strings.ToUpper(r.hex(4))),
		City:          c.name,
		PushToken:     r.hex(22) + ":APA91b" + r.hex(40),
		OpenID:        "o" + r.hex(5) + "_" + r.hex(21),
	}
	id.AndroidRel = fmt.Sprint(id.AndroidAPI - 20)
	b := r.bytes(6)
	b[0] &^= 1 // unicast
	id.BSSID = fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
	// Six decimals (about 0.1 m): a GPS fix, within ~5 km of the city centre.
	id.Lat = round6(c.lat + (r.Float64()-0.5)*0.08)
	id.Lon = round6(c.lon + (r.Float64()-0.5)*0.08)
	for range 4 {
		id.Contacts = append(id.Contacts, "wxid_"+r.hex(14))
	}
	names := append([]string(nil), mpNames...)
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for i := range 3 {
		mp := miniProgram{AppID: "wx" + r.hex(16), Name: names[i], Username: "gh_" + r.hex(12)}
		for range r.between(3, 4) {
			p := pick(r, mpPages)
			if strings.Contains(p, "%d") {
				p = fmt.Sprintf(p, r.between(1, 99999))
			}
			mp.Pages = append(mp.Pages, p)
		}
		id.MiniPrograms = append(id.MiniPrograms, mp)
	}
	for range 3 {
		id.Queries = append(id.Queries, pick(r, queryWords))
	}
	for range 3 {
		id.Messages = append(id.Messages, pick(r, messageTexts))
	}
	id.MomentsTexts = []string{pick(r, momentsTexts), pick(r, momentsTexts)}
	return id
}

// carrierName is the operator name of an MCC-MNC.
func carrierName(mccmnc string) string { return carrierNames[mccmnc] }

// carrierAPN is the access point name of an MCC-MNC.
func carrierAPN(mccmnc string) string { return carrierAPNs[mccmnc] }

func round6(f float64) float64 {
	const m = 1e6
	if f < 0 {
		return -float64(int64(-f*m+0.5)) / m
	}
	return float64(int64(f*m+0.5)) / m
}

// netWiFi is the network type the scenarios report, as WeChat spells it.
const netWiFi = "wifi" // not a data type
