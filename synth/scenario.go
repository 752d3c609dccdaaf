// This file defines the scenarios: scripted user sessions, each a list of
// business calls (request, response, link, URI, request type, inner
// algorithm) on a clock, before any of it becomes MMTLS records or packets.

package synth

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// Step is the user action a payload belongs to.
type Step struct {
	Feature string `json:"feature"` // e.g. "miniprogram", "messaging"
	Action  string `json:"action"`  // e.g. "open Mini Program 美团外卖"
}

// linkKind is how a call travels.
type linkKind uint8

const (
	linkShort linkKind = iota // own TCP connection, HTTP POST /mmtls/…
	linkLong                  // the round's Longlink connection
	linkHTTP                  // own TCP connection, plain HTTP GET
)

// Inner algorithms of the WeChat header (doc/protocol.md, section 4).
const (
	algoNone   = 0  // no WeChat header encryption (Longlink cmd 205)
	algoCBC    = 5  // AES-CBC with the session key
	algoHybrid = 12 // hybrid-ECDH AES-GCM (auth)
	algoGCM    = 13 // AES-GCM with empty AAD (newsync)
)

// Longlink command ids (doc/protocol.md, section 4).
const (
	cmdNoop     = 6
	cmdIdentify = 205
	cmdNewsync  = 121
	cmdResponse = 1000000000
)

// call is one request and its response.
type call struct {
	step     Step
	link     linkKind
	uri      string // API path; for linkHTTP the request target
	host     string
	reqType  int
	cmdID    uint32 // Longlink command id of the request
	algo     int
	compress bool // zlib before inner encryption
	req      body
	resp     []byte
	at       time.Time // when the request is sent
	rtt      time.Duration
}

// script is a scenario being written: the user, the randomness, the clock
// and the calls so far.
type script struct {
	id    *identity
	r     *rng
	now   time.Time
	calls []call
	step  Step
	// keys are the round's inner keys, delivered by the auth response,
	// and the WeChat header cookie.
	keys *roundKeys
	// truth records what the scenario did, in the claims' units.
	truth *Truth
}

// act starts a new user action.
func (s *script) act(feature, action string) {
	s.step = Step{Feature: feature, Action: action}
	s.think(400, 2500)
}

// think advances the clock by a random user pause, in milliseconds.
func (s *script) think(lo, hi int) {
	s.now = s.now.Add(time.Duration(s.r.between(lo, hi)) * time.Millisecond)
}

func (s *script) add(c call) {
	c.step = s.step
	c.at = s.now
	c.rtt = time.Duration(s.r.between(25, 180)) * time.Millisecond
	s.calls = append(s.calls, c)
	// Requests of one action follow each other closely.
	s.now = s.now.Add(c.rtt + time.Duration(s.r.between(5, 120))*time.Millisecond)
}

const (
	hostShort = "szshort.weixin.qq.com"
	hostDNS   = "dns.weixin.qq.com"
	binMM     = "/cgi-bin/micromsg-bin/"
	binBiz    = "/cgi-bin/mmbiz-bin/"
)

// short adds a Shortlink call with AES-CBC, compressed when the body is
// large (as the real client does above a few hundred bytes).
func (s *script) short(uri string, reqType int, b body, resp []byte) {
	s.add(call{link: linkShort, uri: uri, host: hostShort, reqType: reqType, algo: algoCBC, compress: len(b.b) > 400, req: b, resp: resp})
}

// scenario is one named scenario.
type scenario struct {
	name, summary string
	run           func(s *script)
}

var scenarios = []scenario{
	{"startup-login", "app start while logged in: newgetdns, Longlink, auth, push token, startup reports", startup},
	{"messaging", "send two text messages and an image to a contact", messaging},
	{"moments", "post to Moments, browse, comment on a friend's post", moments},
	{"miniprogram-browse", "open Mini Programs, browse pages, usage reports", miniprogramBrowse},
	{"miniprogram-location", "a Mini Program asks for the location; permission granted", func(s *script) { miniprogramLocation(s, true) }},
	{"location-denied", "a Mini Program asks for the location; permission denied: no coordinates sent", func(s *script) { miniprogramLocation(s, false) }},
	{"channels", "open Channels and watch videos", channels},
	{"search", "search from the top bar", search},
}

// ScenarioAll runs every scenario in one session; it is the default.
const ScenarioAll = "all"

// ScenarioInfo describes a scenario for listings.
type ScenarioInfo struct {
	Name    string
	Summary string
}

// Scenarios lists the scenario names Generate accepts, "all" last.
func Scenarios() []ScenarioInfo {
	out := make([]ScenarioInfo, 0, len(scenarios)+1)
	for _, sc := range scenarios {
		out = append(out, ScenarioInfo{sc.name, sc.summary})
	}
	return append(out, ScenarioInfo{ScenarioAll, "every scenario above in one session"})
}

// lookupScenario returns the run function of a scenario name.
func lookupScenario(name string) (func(s *script), error) {
	if name == "" || name == ScenarioAll {
		// startup-login comes first and logs in for the others.
		return func(s *script) {
			for _, sc := range scenarios {
				sc.run(s)
			}
		}, nil
	}
	for _, sc := range scenarios {
		if sc.name == name {
			if name == "startup-login" {
				return sc.run, nil
			}
			return func(s *script) { login(s); sc.run(s) }, nil
		}
	}
	names := make([]string, 0, len(scenarios)+1)
	for _, sc := range Scenarios() {
		names = append(names, sc.Name)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("synth: %w %q (known: %s)", ErrUnknownScenario, name, strings.Join(names, ", "))
}

// login is the part of a startup every session needs: the Longlink
// identify and newsync, and the auth that delivers the session key.
func login(s *script) {
	id, r := s.id, s.r
	s.act("startup", "connect Longlink")
	s.add(call{link: linkLong, cmdID: cmdIdentify, algo: algoNone, req: identifyRequest(id, r), resp: genericResponse(r, 8)})
	s.act("startup", "auto login")
	s.add(call{link: linkShort, uri: binMM + "secautoauth", host: hostShort, reqType: 763, algo: algoHybrid, compress: true,
		req: autoAuthRequest(id, r, s.now), resp: authResponse(id, s.keys, r)})
	s.act("startup", "sync messages")
	s.add(call{link: linkLong, cmdID: cmdNewsync, uri: binMM + "newsync", reqType: 138, algo: algoGCM, compress: true,
		req: newsyncRequest(id, r), resp: newsyncResponse(id, r, s.now)})
}

func startup(s *script) {
	id, r := s.id, s.r
	s.act("startup", "resolve WeChat hosts")
	s.add(call{link: linkHTTP, host: hostDNS, req: newgetdnsQuery(id, r), resp: newgetdnsResponse(r)})
	login(s)
	s.act("startup", "register push token")
	s.short(binMM+"androidfcmreg", 216, fcmRegRequest(id), genericResponse(r, 0))
	s.short(binMM+"getcdndns", 379, cdnDNSRequest(id), genericResponse(r, 96))
	s.short(binMM+"getnetworkinfo", 6238, netInfoRequest(id, r), genericResponse(r, 48))
	s.act("startup", "report startup statistics")
	s.short(binMM+"newreportkvcomm", 996, startupReport(id, r, s.now), genericResponse(r, 0))
	s.add(call{link: linkLong, cmdID: cmdNoop, algo: algoNone, req: body{}, resp: nil})
}

func messaging(s *script) {
	id, r := s.id, s.r
	to := id.Contacts[0]
	for i, text := range id.Messages[:2] {
		s.act("messaging", fmt.Sprintf("send text message %d", i+1))
		s.short(binMM+"newsendmsg", 522, sendMsgRequest(id, to, text, r, s.now), genericResponse(r, 24))
	}
	s.act("messaging", "send image")
	s.short(binMM+"uploadmsgimg", 110, uploadImgRequest(id, to, r, s.now), genericResponse(r, 48))
	s.act("messaging", "receive reply")
	s.add(call{link: linkLong, cmdID: cmdNewsync, uri: binMM + "newsync", reqType: 138, algo: algoGCM, compress: true,
		req: newsyncRequest(id, r), resp: newsyncResponse(id, r, s.now)})
}

func moments(s *script) {
	id, r := s.id, s.r
	s.act("moments", "post to Moments")
	s.short(binMM+"mmsnspost", 209, snsPostRequest(id, id.MomentsTexts[0], r, s.now), genericResponse(r, 40))
	s.act("moments", "browse Moments")
	s.short(binMM+"mmsnstimeline", 211, snsTimelineRequest(id, r), genericResponse(r, 600))
	s.act("moments", "comment on a friend's post")
	s.short(binMM+"mmsnscomment", 213, snsCommentRequest(id, id.Contacts[1], id.MomentsTexts[1], r, s.now), genericResponse(r, 16))
}

// browse opens mp (a new session), visits its pages and returns the page
// events.
func browse(s *script, mp miniProgram) []pageEvent {
	id, r := s.id, s.r
	s.act("miniprogram", "open Mini Program "+mp.Name)
	// One session id per launch, as WeChat's reports carry it: the uin,
	// the launch time, the client version.
	session := fmt.Sprintf("hash=%d&ts=%d&host=&version=%d&device=2", id.Uin, s.now.UnixMilli(), id.ClientVersion)
	t := s.truth.mp(mp.AppID)
	t.Sessions++
	s.short(binBiz+"js-login", 1029, jsLoginRequest(id, mp), jsLoginResponse(id, r))
	s.short(binBiz+"wxaattr/batchwxaattrsync", 1192, wxaAttrSyncRequest(id, []miniProgram{mp}), genericResponse(r, 120))
	var events []pageEvent
	for _, pg := range mp.Pages {
		s.act("miniprogram", "browse page "+pg)
		stay := r.between(800, 30000)
		events = append(events, pageEvent{page: pg, event: 1, stay: stay, at: s.now, session: session})
		t.page(pg)
		s.now = s.now.Add(time.Duration(stay) * time.Millisecond)
	}
	return events
}

func miniprogramBrowse(s *script) {
	id, r := s.id, s.r
	for _, mp := range id.MiniPrograms[:2] {
		events := browse(s, mp)
		s.act("miniprogram", "close Mini Program "+mp.Name)
		s.short(binBiz+"wxausrevent/wxaappidkeybatchreport", 1009, usageReport(id, mp, events, r), genericResponse(r, 0))
		s.truth.mp(mp.AppID).reported(events)
		s.short(binMM+"newreportkvcomm", 996, mpKVReport(id, mp, events, s.now), genericResponse(r, 0))
	}
}

func miniprogramLocation(s *script, granted bool) {
	id, r := s.id, s.r
	s.truth.Permissions["location"] = map[bool]string{true: "on", false: "off"}[granted] // not a data type: the OS permission
	mp := id.MiniPrograms[2]
	events := browse(s, mp)
	s.act("miniprogram", "Mini Program requests location")
	page := strings.SplitN(mp.Pages[len(mp.Pages)-1], "?", 2)[0]
	if granted {
		ev := jsonString("api", "getLocation", "authSetting", rawJSON(`{"scope.userLocation":true}`),
			"latitude", id.Lat, "longitude", id.Lon, "accuracy", 30, "type", "gcj02")
		b := routeRequest(id, mp, page, "getLocation", ev, events[0].session, s.now, r)
		b.planted.s(taxonomy.Location, "2.2:event_value.latitude", strconv6(id.Lat))
		b.planted.s(taxonomy.Location, "2.2:event_value.longitude", strconv6(id.Lon))
		b.planted.s(taxonomy.PermissionsState, "2.2:event_value.authSetting.scope.userLocation", `"scope.userLocation":true`)
		s.short(binBiz+"wxartrappsvr/route", 2946, b, genericResponse(r, 32))
		s.short(binMM+"getpoilist", 3964, poiListRequest(id, r), genericResponse(r, 400))
	} else {
		ev := jsonString("api", "getLocation", "authSetting", rawJSON(`{"scope.userLocation":false}`),
			"errMsg", "getLocation:fail auth deny")
		b := routeRequest(id, mp, page, "getLocation", ev, events[0].session, s.now, r)
		b.planted.s(taxonomy.PermissionsState, "2.2:event_value.authSetting.scope.userLocation", `"scope.userLocation":false`)
		// An API call's refusal records the call, not a fault (classify/TAXONOMY.md).
		b.planted.s(taxonomy.UIEvents, "2.2:event_value.errMsg", "getLocation:fail auth deny")
		s.short(binBiz+"wxartrappsvr/route", 2946, b, genericResponse(r, 16))
	}
	s.truth.mp(mp.AppID).page(page)
	s.act("miniprogram", "close Mini Program "+mp.Name)
	s.short(binBiz+"wxausrevent/wxaappidkeybatchreport", 1009, usageReport(id, mp, events, r), genericResponse(r, 0))
	s.truth.mp(mp.AppID).reported(events)
}

// strconv6 formats a coordinate as jsonString writes it.
func strconv6(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func channels(s *script) {
	id, r := s.id, s.r
	s.act("channels", "open Channels")
	s.short(binMM+"finderinit", 3930, finderInitRequest(id, r, s.now), genericResponse(r, 200))
	feeds := []uint64{r.Uint64() >> 1, r.Uint64() >> 1, r.Uint64() >> 1}
	s.act("channels", "load the feed")
	s.short(binMM+"finderstream", 3901, finderStreamRequest(id, r, s.now), feedResponse(feeds, r))
	s.act("channels", "watch videos")
	s.think(5000, 40000)
	s.short(binMM+"findersync", 3565, finderInitRequest(id, r, s.now), genericResponse(r, 64))
	s.short(binMM+"newreportkvcomm", 996, finderStatsReport(id, feeds, r, s.now), genericResponse(r, 0))
}

func search(s *script) {
	id, r := s.id, s.r
	for i, q := range id.Queries[:2] {
		s.act("search", fmt.Sprintf("search %d", i+1))
		s.short(binMM+"mmwebsearch", 719, searchRequest(id, q, i == 0, r, s.now), genericResponse(r, 900))
	}
}

// ErrUnknownScenario is wrapped by the error for a scenario name that is
// not one of Scenarios.
var ErrUnknownScenario = errors.New("unknown scenario")
