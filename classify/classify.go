package classify

import (
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// Options configure a Classifier. The zero value uses the shipped rules and
// no canaries.
type Options struct {
	// Rules replaces the shipped endpoint rules when non-nil; use
	// append(DefaultRules(), extra...) to extend them.
	Rules []Rule
	// Canaries are values the researcher knows are theirs.
	Canaries []Canary
	// NoValueDetectors turns the value detectors off (rules and canaries
	// only), to audit what the rules alone find.
	NoValueDetectors bool
	// Catalog supplies what is known about endpoints' fields, such as the
	// axis order of their coordinate pairs; nil uses catalog.Default.
	Catalog *catalog.Catalog
}

// Classifier finds personal data in decoded requests. It is immutable after
// New and safe for concurrent use.
type Classifier struct {
	rules    []Rule
	canaries []compiledCanary
	values   bool
	cat      *catalog.Catalog
}

// New builds a Classifier. Rules given in opts must have come from
// ParseRules or DefaultRules (they are compiled there).
func New(opts Options) *Classifier {
	c := &Classifier{rules: opts.Rules, values: !opts.NoValueDetectors, cat: opts.Catalog}
	if c.cat == nil {
		c.cat = catalog.Default()
	}
	if c.rules == nil {
		c.rules = DefaultRules()
	}
	// Compile every rule (idempotent), dropping invalid hand-built ones.
	valid := make([]Rule, 0, len(c.rules))
	for _, r := range c.rules {
		if r.compile() == nil {
			valid = append(valid, r)
		}
	}
	c.rules = valid
	for _, k := range opts.Canaries {
		c.canaries = append(c.canaries, compileCanary(k))
	}
	return c
}

// Rules returns the classifier's rules.
func (c *Classifier) Rules() []Rule { return c.rules }

// Classify returns the findings in one request's leaves, given in tree
// pre-order. Findings are deduplicated by data type, field path, rule and
// value, and returned in leaf order.
func (c *Classifier) Classify(req Request, fields []Field) []Finding {
	var out []Finding
	seen := map[string]bool{}
	emit := func(f Finding) {
		k := string(f.DataType) + "\x00" + f.FieldPath + "\x00" + f.Rule + "\x00" + f.Value
		if f.Coord != nil {
			k += "\x00" + ftoa(f.Coord.Lat) + "," + ftoa(f.Coord.Lon)
		}
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, f)
	}

	var known []catalog.Axes
	if c.values {
		known = c.cat.AxesFor(req.ReqType, req.URI)
	}
	var applicable []*Rule
	for i := range c.rules {
		if c.rules[i].appliesTo(req) {
			applicable = append(applicable, &c.rules[i])
		}
	}

	for i := range fields {
		f := &fields[i]
		// Endpoint and key rules.
		var comps []string
		if len(applicable) > 0 {
			comps = strings.Split(f.Path, ".")
		}
		for _, r := range applicable {
			if !r.matchComps(comps) {
				continue
			}
			s, nonEmpty := valueText(f)
			if !nonEmpty {
				continue
			}
			if r.match != nil && !r.match.MatchString(s) {
				continue
			}
			emit(Finding{DataType: r.DataType, Confidence: r.Confidence, FieldPath: f.Path,
				Value: f.display(), Rule: "rule:" + r.ID, Reason: r.Reason})
		}
		if c.values && f.Container && f.Kind == KindText && strings.HasPrefix(f.Text, "<TimelineObject") {
			emit(Finding{DataType: taxonomy.MomentsContent, Confidence: taxonomy.High, FieldPath: f.Path, Value: excerpt(f.Text),
				Rule: "detector:value-timeline", Reason: "a TimelineObject XML document is a Moments post"})
		}
		if c.values && !f.Container {
			if authSetting(f) {
				emit(Finding{DataType: taxonomy.PermissionsState, Confidence: taxonomy.High, FieldPath: f.Path, Value: f.display(),
					Rule: "detector:auth-setting", Reason: authSettingReason})
			}
			if s, ok := leafText(f); ok {
				for _, d := range detectors {
					if d.match(f, s) {
						emit(Finding{DataType: d.dataType, Confidence: d.confidence, FieldPath: f.Path,
							Value: excerpt(strings.TrimRight(s, "\x00")), Rule: "detector:" + d.id, Reason: d.reason})
					}
				}
			}
			ax := axesAt(known, fields, i)
			if co := textPair(f, ax); co != nil {
				emit(Finding{DataType: coordType(co), Confidence: taxonomy.High, FieldPath: f.Path, Value: f.display(),
					Rule: "detector:coordinates-text", Reason: "one text value holds a latitude/longitude pair (" + precisionWords(co) + ")", Coord: co})
			}
			if i+1 < len(fields) {
				if co := coordPair(f, &fields[i+1], ax); co != nil {
					emit(Finding{DataType: coordType(co), Confidence: CoordConfidence(co),
						FieldPath: f.Path + "+" + fields[i+1].key(),
						Value:     f.display() + "," + fields[i+1].display(),
						Rule:      "detector:coordinates-" + co.Encoding,
						Reason:    "two adjacent fields hold a latitude/longitude pair (" + co.Encoding + ", " + precisionWords(co) + ")",
						Coord:     co})
				}
				// The Wi-Fi name travels just before its BSSID in report lines.
				if n := &fields[i+1]; f.parent() == n.parent() && f.Kind == KindText && n.Kind == KindText &&
					reMAC.MatchString(n.Text) && ssidLike(f.Text) && f.inChain("report_line") {
					emit(Finding{DataType: taxonomy.WiFi, Confidence: taxonomy.Medium, FieldPath: f.Path, Value: excerpt(f.Text),
						Rule:   "detector:ssid-before-bssid",
						Reason: "in report lines the Wi-Fi network name directly precedes the access point's MAC address"})
				}
			}
		}
		for j := range c.canaries {
			cc := &c.canaries[j]
			if f.Container {
				continue
			}
			if enc := cc.matchLeaf(f); enc != "" {
				emit(Finding{DataType: cc.Type, Confidence: taxonomy.High, FieldPath: f.Path, Value: f.display(),
					Rule: "canary:" + cc.Name, Reason: "the value matches the researcher's canary " + cc.Name + " (" + enc + " encoding)",
					Canary: cc.Name})
			}
		}
	}
	if c.values {
		baseRequests(fields, emit)
		structures(fields, emit)
		ids := map[string]bool{}
		for _, f := range out {
			if f.DataType == taxonomy.AccountID {
				ids[f.Value] = true
			}
		}
		detectInContext(req, fields, ids, emit)
		out = contactsNotAccount(out)
		for i := range out {
			if co := out[i].Coord; co != nil && co.Axes == AxesAmbiguous {
				// Only requests with an undecided pair pay for the evidence.
				var ev Evidence
				ev.Learn(out)
				out = ev.Orient(out)
				break
			}
		}
	}
	return out
}

// contactsNotAccount drops account_id findings that only the shape of a
// user name gave ("wxid_…") for values the request itself sends as another
// person (a message's recipient, a chat-room member): a contact's wxid is
// a contact, never the account. The account's own name stays account_id
// where structure says so (BaseRequest, self-notify, rules).
func contactsNotAccount(out []Finding) []Finding {
	peers := map[string]bool{}
	for _, f := range out {
		if f.DataType == taxonomy.ContactsSocialGraph {
			peers[f.Value] = true
		}
	}
	if len(peers) == 0 {
		return out
	}
	kept := out[:0]
	for _, f := range out {
		if f.DataType == taxonomy.AccountID && f.Rule == "detector:value-wxid" && peers[f.Value] {
			continue
		}
		kept = append(kept, f)
	}
	return kept
}

// axesAt returns the catalog's entry for a coordinate pair starting at
// fields[i], or nil. Entries for report lines also need the line's log id,
// read from the nearest leaf before it at the entry's LogAt path.
func axesAt(known []catalog.Axes, fields []Field, i int) *catalog.Axes {
	for j := range known {
		a := &known[j]
		if a.At != fields[i].Path {
			continue
		}
		if a.LogID != 0 && !logIs(fields, i, a.LogAt, a.LogID) {
			continue
		}
		return a
	}
	return nil
}

// logIs reports whether the nearest leaf before fields[i] at path at holds
// the log id id.
func logIs(fields []Field, i int, at string, id int) bool {
	for j := i - 1; j >= 0; j-- {
		if f := &fields[j]; f.Path == at {
			return (f.Kind == KindVarint && f.Uint == uint64(id)) || strings.TrimSpace(f.Text) == strconv.Itoa(id)
		}
	}
	return false
}

// CoordConfidence is the confidence of a coordinate whose axis order is
// decided: high, or medium for micro-degrees (integers counters share).
func CoordConfidence(co *Coord) taxonomy.Confidence {
	if strings.HasPrefix(co.Encoding, "microdegrees") {
		return taxonomy.Medium
	}
	return taxonomy.High
}

func precisionWords(co *Coord) string {
	return "precise to about " + strings.TrimSuffix(strings.TrimRight(ftoa(co.PrecisionM), "0"), ".") + " m"
}

// ssidLike accepts printable names that are not numbers, flags or empty.
func ssidLike(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	if _, _, ok := decimal(s); ok {
		return false
	}
	for _, r := range s {
		if r < 0x20 {
			return false
		}
	}
	return true
}

// baseRequests recognises the BaseRequest {1 session key, 2 uin, 3 device
// id, 4 client version, 5 device type, 6 scene} wherever it is nested
// (doc/protocol.md, section 6), from either client platform: a message whose
// field 5 names the OS ("android-29", "iOS16.5", "iPhone OS 16.5") and
// whose field 3 is a device id (Android "A"+hex, iOS 16 bytes, 32 hex or a
// UUID) or whose fields 2 and 4 are a uin and a client version. Its
// siblings then mean what the structure says, whatever request carries it.
func baseRequests(fields []Field, emit func(Finding)) {
	byParent := map[string][]*Field{}
	var order []string
	for i := range fields {
		f := &fields[i]
		if f.Container {
			continue
		}
		p := f.parent()
		if _, ok := byParent[p]; !ok {
			order = append(order, p)
		}
		byParent[p] = append(byParent[p], f)
	}
	for _, p := range order {
		kids := byParent[p]
		var dev, os, uin, ver *Field
		for _, k := range kids {
			switch k.key() {
			case "2":
				if k.Kind == KindVarint && k.Uint != 0 {
					uin = k
				}
			case "3":
				if baseDeviceID(k) {
					dev = k
				}
			case "4":
				// 0x1…–0x3… : Android 0x28…, iOS 0x18….
				if k.Kind == KindVarint && k.Uint >= 0x1000_0000 && k.Uint < 0x4000_0000 {
					ver = k
				}
			case "5":
				if s, ok := leafText(k); ok && reOS.MatchString(strings.TrimRight(s, "\x00")) {
					os = k
				}
			}
		}
		if os == nil || (dev == nil && (uin == nil || ver == nil)) {
			continue
		}
		selfNotify(fields, p, emit)
		const reason = "BaseRequest {1 session key, 2 uin, 3 device id, 4 client version, 5 device type}: recognised by its device type (field 5) with its device id (field 3) or uin and client version (fields 2, 4)"
		for _, k := range kids {
			var t taxonomy.DataType
			switch k.key() {
			case "2":
				t = taxonomy.AccountID
			case "3":
				t = taxonomy.DeviceID
			case "4":
				t = taxonomy.ClientVersion
			case "5":
				t = taxonomy.OSVersion
			default:
				continue
			}
			if _, nonEmpty := valueText(k); !nonEmpty {
				continue
			}
			disp := k.display()
			if s, ok := leafText(k); ok {
				disp = strings.TrimRight(s, "\x00")
			}
			emit(Finding{DataType: t, Confidence: taxonomy.High, FieldPath: k.Path, Value: excerpt(disp),
				Rule: "detector:base-request", Reason: reason})
		}
	}
}

// baseDeviceID reports whether a BaseRequest's field 3 holds a device id:
// Android's "A" + hex (NUL-terminated), or iOS's 16 bytes, raw or as hex
// or UUID text.
func baseDeviceID(k *Field) bool {
	if k.Kind == KindBytes || k.Kind == KindOpaque {
		if len(k.Bytes) == 16 && !allZero(k.Bytes) {
			return true
		}
	}
	s, ok := leafText(k)
	if !ok {
		return false
	}
	s = strings.TrimRight(s, "\x00")
	return reDeviceID.MatchString(s) || reDeviceIDText.MatchString(s)
}

// selfNotify recognises the account's own user name from structure: a
// request whose BaseRequest sits at base and whose fields 3 and 4 (from
// and to) are one and the same user name is the client notifying itself
// (statusnotify's shape), so the name is the account's, whatever the
// endpoint is called.
func selfNotify(fields []Field, base string, emit func(Finding)) {
	top := ""
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		top = base[:i] + "."
	}
	var from, to *Field
	for i := range fields {
		switch fields[i].Path {
		case top + "3":
			from = &fields[i]
		case top + "4":
			to = &fields[i]
		}
	}
	if from == nil || to == nil || from.Kind != KindText || to.Kind != KindText || from.Text != to.Text || !reUserName.MatchString(from.Text) {
		return
	}
	emit(Finding{DataType: taxonomy.AccountID, Confidence: taxonomy.High, FieldPath: from.Path, Value: excerpt(from.Text), Rule: SelfNotifyRule,
		Reason: "a request with a BaseRequest whose from-user (3) and to-user (4) are the same user name is the client notifying itself: the name is the account's own"})
}

// SelfNotifyRule names findings of the account's own user name told by
// structure (selfNotify); the run context learns the account from them.
const SelfNotifyRule = "detector:self-notify"

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
