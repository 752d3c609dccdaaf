package analyze

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/attribute"
	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/claims"
	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/decode"
	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/policy"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/schemaless"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// record is one analysed request, with its findings, before the run's
// context completes it.
type record struct {
	Request  report.Request
	Findings []report.Finding
	Sum      [32]byte // SHA-256 of the payload, for finding IDs
	IPs      []ipCandidate
	Uins     []ipCandidate // numbers that may be the account's uin (context.go)
}

// Input is one run's input file.
type Input struct {
	Path string
	// Label names the run; default: the file name without .log.jsonl,
	// .jsonl, .log, .pcapng or .pcap.
	Label string
	// Permissions is "on", "off" or "" to guess from the label.
	Permissions string
	// Keys decrypts a capture input (pcap or pcapng, recognised by its
	// magic number); nil decrypts nothing but still reports what the
	// capture held. Request-log inputs ignore it.
	Keys *keylog.Log
	// Segment, when set, is the part of a request log that is this run's
	// own, found by the caller over more logs than this call is given
	// (attribute.Segments over a corpus): Run then reads no line hashes
	// and computes no overlap warnings. Set it on every input or on none.
	Segment *Segment
}

// Segment is a request log's own run: lines SkipLines+1..Lines, after the
// run labelled Extends (whose log is a line prefix of this one; "" for
// none). The runs of one chain must be analysed in one call: the facts
// one segment states hold for the others (context.go).
type Segment struct {
	Extends   string
	SkipLines int
	Lines     int
}

// Options configure Run.
type Options struct {
	// Classifier finds the personal data; nil uses classify.New with the
	// shipped rules.
	Classifier *classify.Classifier
	// NoPrefix turns off run segmentation: every input keeps all its lines.
	NoPrefix bool
	// Decode bounds the schema-less decoder.
	Decode schemaless.Options
	// KeepPayloads keeps each request's payload in the report
	// (report.Request.Payload), for requests.jsonl and the web UI.
	KeepPayloads bool
	// Catalog maps request types to API paths and features; nil uses
	// catalog.Default. Add a published table with its AddPublished.
	Catalog *catalog.Catalog
	// OnRequest, when set, is called for each request after it is
	// classified, in input order, so a caller can keep what the report
	// does not (the plaintext, the decoded tree) without holding it all.
	// Everything it is given is valid only during the call: copy to keep.
	// Findings added later from the whole run's context are not in it.
	OnRequest func(RequestEvent)
	// Policy, when set, is the privacy-policy model the findings are
	// compared with (Report.Policy, gaps.jsonl); nil compares nothing.
	Policy *policy.Model
	// Needs is the necessity model of the core_features_need claim; nil
	// uses claims.DefaultNeeds.
	Needs *claims.Needs
}

// RequestEvent is one analysed request, for Options.OnRequest.
type RequestEvent struct {
	Request *report.Request
	Payload *payload.Payload
	// Tree is the decoded payload; nil when the payload is empty.
	Tree *schemaless.Tree
	// Fields are the tree's leaves as the classifier saw them.
	Fields []classify.Field
}

// maxErrors bounds Report.Errors; the count of further errors is recorded.
const maxErrors = 1000

// Run analyses the inputs and returns the report, whole, in memory. Malformed
// lines and undecodable requests are recorded in Report.Errors; only
// unreadable inputs and cancellation are errors. Write streams the same
// report into a folder instead.
func Run(ctx context.Context, inputs []Input, opts Options) (*report.Report, error) {
	rep := &report.Report{}
	mem := &memSink{rep: rep}
	head, err := run(ctx, inputs, opts, &memSpool{}, mem)
	if err != nil {
		return nil, err
	}
	head.Requests, head.Findings = rep.Requests, rep.Findings
	return head, nil
}

// Written is what Write wrote: the report's runs, errors, policy comparison
// and claims (its requests and findings are in the folder only), with the
// counts a command line prints.
type Written struct {
	Report   *report.Report
	Findings int
	// DataTypes lists the data types found per run, in taxonomy order.
	DataTypes map[string][]string
}

// Write analyses the inputs into the report folder dir, as Run then
// report.WriteDir would, but with memory bounded by one request and the
// summaries: each request is analysed, spooled to disk, then, once the
// run's context is known, written with its findings into the folder being
// built (see report.Builder). The spool is a file beside dir, removed at
// the end.
func Write(ctx context.Context, inputs []Input, opts Options, dir string, render report.RenderOptions) (*Written, error) {
	b, err := report.Create(dir, render)
	if err != nil {
		return nil, err
	}
	sp, err := newFileSpool(dir)
	if err != nil {
		b.Abort()
		return nil, err
	}
	defer sp.remove()
	out := &folderSink{b: b, types: map[string]map[string]bool{}}
	head, err := run(ctx, inputs, opts, sp, out)
	if err != nil {
		b.Abort()
		return nil, err
	}
	head.Render = render
	if err := b.Finish(head); err != nil {
		return nil, err
	}
	w := &Written{Report: head, Findings: b.Findings(), DataTypes: map[string][]string{}}
	for run, set := range out.types {
		for _, t := range taxonomy.All {
			if set[string(t.Name)] {
				w.DataTypes[run] = append(w.DataTypes[run], string(t.Name))
			}
		}
	}
	return w, nil
}

// run analyses the inputs in two passes: each request is classified and
// put in the spool; then, with the facts of the whole run known (see
// context.go), each is completed and given to out, with the claims and the
// policy comparison counted on the way. It returns the report without its
// requests and findings.
func run(ctx context.Context, inputs []Input, opts Options, sp spool, out sink) (*report.Report, error) {
	if len(inputs) == 0 {
		return nil, errors.New("analyze: no inputs")
	}
	paths := make([]string, len(inputs))
	for i, in := range inputs {
		paths[i] = in.Path
		if p := in.Permissions; p != "" && !attribute.ValidPermissions(p) {
			return nil, sniff.Hinted(fmt.Errorf("analyze: unknown permission state %q for %s", p, in.Path),
				"use --permissions on, off, or one state per permission like location=on,contacts=off (or leave it out to read it from the file name)")
		}
	}
	labels := Labels(paths)
	for i, in := range inputs {
		if in.Label != "" {
			labels[i] = in.Label
		}
	}
	labels = unique(labels)
	// Pass 1: line hashes, to find logs that extend other logs.
	segs := make([]attribute.LogRun, len(inputs))
	for i := range segs {
		segs[i] = attribute.LogRun{Input: i, Extends: -1}
	}
	var warnings []string
	if inputs[0].Segment != nil {
		for i, in := range inputs {
			if in.Segment == nil {
				return nil, errors.New("analyze: a segment given for some inputs, not all")
			}
			segs[i].SkipLines, segs[i].Lines = in.Segment.SkipLines, in.Segment.Lines
		}
	} else if !opts.NoPrefix && len(inputs) > 1 {
		ls := make([]attribute.Lines, len(inputs))
		hs := make([][][32]byte, len(inputs))
		complete := make([]bool, len(inputs))
		for i, in := range inputs {
			if sniff.IsCapture(in.Path) {
				continue // a capture is never a line prefix of a log
			}
			f, err := os.Open(in.Path)
			if err != nil {
				return nil, fmt.Errorf("analyze: %w", err)
			}
			ls[i], err = attribute.ReadLines(f)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("analyze: %s: %w", in.Path, err)
			}
			hs[i], complete[i] = ls[i].Chain, ls[i].Complete
		}
		segs = attribute.SplitRuns(hs, complete)
		warnings = overlapWarnings(labels, segs, attribute.Overlaps(ls))
	}
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	cl := opts.Classifier
	if cl == nil {
		// The classifier reads the same catalog (the axis order of known
		// coordinate pairs), user entries included.
		cl = classify.New(classify.Options{Catalog: cat})
	}
	a := &analyzer{cl: cl, cat: cat, opts: opts, rep: &report.Report{Errors: warnings}, ids: map[[6]byte]uint32{}, spool: sp, facts: newFacts()}
	for i, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		perm := in.Permissions
		if perm == "" {
			perm = attribute.RunPermissions(labels[i])
		}
		run := report.Run{Label: labels[i], Source: in.Path, Permissions: perm, SkipLines: segs[i].SkipLines, Lines: segs[i].Lines}
		if segs[i].Extends >= 0 {
			run.Extends = labels[segs[i].Extends]
		} else if in.Segment != nil {
			run.Extends = in.Segment.Extends
		}
		if run.Extends != "" {
			run.LineSpan = fmt.Sprintf("%d-%d", run.SkipLines+1, run.Lines)
		}
		var n int
		var err error
		if sniff.IsCapture(in.Path) {
			n, err = a.capture(ctx, in, &run)
		} else {
			n, err = a.input(ctx, in.Path, &run)
		}
		if err == nil {
			err = a.err
		}
		if err != nil {
			return nil, err
		}
		run.Requests = n
		a.rep.Runs = append(a.rep.Runs, run)
	}
	// Pass 2: each request completed with the run's context.
	ctxt := a.facts.context(a.rep.Runs)
	tally := claims.NewTally(claims.Options{Needs: opts.Needs})
	flows := policy.NewFlowSet(policy.ReadOptions{})
	err := sp.replay(func(rec *record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ctxt.complete(rec, a.ids)
		tally.Add(&rec.Request, rec.Findings)
		for i := range rec.Findings {
			flows.Add(&rec.Findings[i])
		}
		return out.add(&rec.Request, rec.Findings)
	})
	if err != nil {
		return nil, err
	}
	// Successive runs of one growing log read best in the order recorded.
	sort.SliceStable(a.rep.Runs, func(i, j int) bool { return a.rep.Runs[i].SkipLines < a.rep.Runs[j].SkipLines })
	if a.dropped > 0 {
		a.rep.Errors = append(a.rep.Errors, fmt.Sprintf("%d further errors not listed", a.dropped))
	}
	if opts.Policy != nil {
		fl := flows.Flows
		if _, ok := out.(*folderSink); ok {
			fl = flows.PackedFlows // the IDs stay packed until policy.json is written
		}
		a.rep.Policy = comparePolicy(opts.Policy, fl())
	}
	a.rep.Claims = tally.Claims(a.rep)
	a.rep.Runs = tally.Runs(a.rep.Runs)
	return a.rep, nil
}

// comparePolicy compares the flows with the model; consistent flows are
// left out.
func comparePolicy(m *policy.Model, flows []policy.Flow) *report.PolicyResult {
	res := &report.PolicyResult{Model: m.Name, Title: m.Title, Version: m.Version}
	for _, g := range policy.Evaluate(m, flows, policy.Options{OmitConsistent: true}) {
		res.Gaps = append(res.Gaps, report.Gap{Kind: string(g.Verdict), DataType: g.DataType, Feature: g.Feature,
			Recipient: g.Recipient, Run: g.Run, Clause: g.Clause, Statement: g.Explanation, Findings: g.Evidence, Packed: g.Packed})
	}
	return res
}

type analyzer struct {
	cl       *classify.Classifier
	cat      *catalog.Catalog
	opts     Options
	rep      *report.Report // runs and errors; requests and findings go to spool
	dropped  int
	fields   []classify.Field   // reused per request
	requests int                // requests so far: the next request ID
	nIPs     int                // IP candidates kept, bounded by maxIPCandidates
	nUins    int                // uin candidates kept, bounded by maxIPCandidates
	ids      map[[6]byte]uint32 // finding IDs given, for duplicate requests: 12 bytes a distinct finding
	spool    spool
	facts    *facts
	err      error // the first spool error
}

func (a *analyzer) errorf(format string, args ...any) {
	if len(a.rep.Errors) >= maxErrors {
		a.dropped++
		return
	}
	a.rep.Errors = append(a.rep.Errors, fmt.Sprintf(format, args...))
}

// input reads one input file and analyses the requests of its own segment.
func (a *analyzer) input(ctx context.Context, path string, run *report.Run) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("analyze: %w", err)
	}
	defer f.Close()
	rd := decode.NewReader(f, path)
	seq, read, bad := 0, 0, 0
	for {
		p, err := rd.Next()
		if err == io.EOF {
			if read == 0 {
				// Nothing from something: a report of "0 requests" would
				// read as "WeChat sent nothing".
				return 0, sniff.Hinted(fmt.Errorf("analyze: no request in %s (%d lines not requests)", path, bad),
					"inputs are Citizen Lab request logs, wxaudit decrypt output, decrypt-keylog.py output, or captures with --keylog")
			}
			return seq, nil
		}
		var pe *decode.ParseError
		if errors.As(err, &pe) {
			bad++
			switch {
			case errors.Is(err, decode.ErrLineTooLong):
				// A warning, printed on stderr: the request is lost.
				a.errorf("%s%v", WarningPrefix, err)
			case pe.Line > run.SkipLines:
				a.errorf("%v", err)
			}
			continue
		}
		if err != nil {
			return seq, fmt.Errorf("analyze: %w", err)
		}
		read++
		if p.Line > 0 && p.Line <= run.SkipLines {
			continue
		}
		if p.Direction == payload.DirResponse {
			continue
		}
		if seq%256 == 0 {
			if err := ctx.Err(); err != nil {
				return seq, err
			}
		}
		seq++
		if run.Lines == 0 && p.Line > 0 {
			run.Lines = p.Line
		}
		a.request(&p, run, seq)
		if a.err != nil {
			return seq, a.err
		}
	}
}

// capture decrypts one capture input and analyses every request it yields,
// streaming: no payload is kept after it is classified. What could not be
// decrypted, and why, goes into run.Decryption.
func (a *analyzer) capture(ctx context.Context, in Input, run *report.Run) (int, error) {
	f, err := os.Open(in.Path)
	if err != nil {
		return 0, fmt.Errorf("analyze: %w", err)
	}
	defer f.Close()
	seq := 0
	st, err := decrypt.Run(ctx, f, decrypt.Options{Keys: in.Keys, CaptureName: in.Path}, func(p *payload.Payload) error {
		if p.Direction == payload.DirResponse {
			return nil
		}
		seq++
		a.request(p, run, seq)
		return a.err
	})
	if st == nil {
		return 0, fmt.Errorf("analyze: %s: %w", in.Path, err)
	}
	if err != nil && ctx.Err() != nil {
		return seq, err
	}
	if nothing := st.Nothing(in.Keys != nil); nothing != nil {
		return seq, fmt.Errorf("analyze: %s: %w", in.Path, nothing)
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		// A corrupt capture (not merely cut short) would lose what
		// follows the damage without saying so in the numbers.
		return seq, fmt.Errorf("analyze: %s: %w", in.Path, err)
	}
	run.Decryption = decryption(st)
	if err != nil {
		// A truncated capture still yields everything before the cut.
		run.Decryption.Error = err.Error()
		a.errorf("%s: %v", in.Path, err)
	}
	return seq, nil
}

func decryption(st *decrypt.Stats) *report.Decryption {
	return &report.Decryption{
		Connections:          st.Connections,
		Records:              st.Records,
		RecordsEncrypted:     st.RecordsEncrypted,
		RecordsDecrypted:     st.RecordsDecrypted,
		RecordsNotDecrypted:  nonZero(st.RecordsNotDecrypted),
		Payloads:             st.Payloads,
		PayloadsNotDecrypted: nonZero(st.PayloadsNotDecrypted),
		SkippedBytes:         nonZero(st.SkippedBytes),
	}
}

func nonZero[V int | int64](m map[string]V) map[string]V {
	out := map[string]V{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// request classifies and attributes one request and puts it in the spool.
func (a *analyzer) request(p *payload.Payload, run *report.Run, seq int) {
	path, _ := a.cat.Resolve(p.ReqType, p.URI)
	id := a.requests
	a.requests++
	var found []classify.Finding
	var m *schemaless.Tree
	a.fields = a.fields[:0]
	if len(p.Payload) > 0 {
		m = schemaless.Decode(p.Payload, a.opts.Decode)
		a.fields = Fields(m, a.fields)
		found = a.cl.Classify(classify.Request{URI: path, ReqType: p.ReqType}, a.fields)
	}
	found, alsoBy := agreeing(found)
	byPath := pathIndex(a.fields)
	found, alsoBy, pinned := perLeaf(found, alsoBy, a.fields, byPath)
	at := attribute.Resolve(a.cat, p.ReqType, p.URI, found, a.fields)
	feature := at.Feature
	recipient := attribute.Recipient(path, p.Host, feature)
	rec := &record{Sum: sha256.Sum256(p.Payload)}
	rec.Request = report.Request{ID: id, Run: run.Label, Seq: seq, Time: p.Time, Feature: feature, FeatureReason: at.Reason,
		Recipient: recipient, URI: path, ReqType: p.ReqType, Size: len(p.Payload), Source: sourceString(p)}
	q := &rec.Request
	if a.opts.KeepPayloads {
		q.Payload = bytes.Clone(p.Payload)
	}
	places := placeFindings(found, a.fields, byPath, pinned)
	endpoint := reqKeyOf(path, p.ReqType)
	types := map[string]bool{}
	for i := range found {
		f := &found[i]
		types[string(f.DataType)] = true
		rec.Findings = append(rec.Findings, report.Finding{
			ID:          findingID(rec.Sum, endpoint, f, a.ids),
			DataType:    string(f.DataType),
			Confidence:  string(f.Confidence),
			Feature:     feature,
			Recipient:   recipient,
			URI:         path,
			ReqType:     p.ReqType,
			Run:         run.Label,
			Permissions: run.Permissions,
			Time:        p.Time,
			Request:     id,
			AppID:       places[i].appid,
			MPSession:   strings.Clone(places[i].session),
			MPPage:      strings.Clone(places[i].page),
			Entry:       places[i].entry(a.fields),
			Evidence: report.Evidence{FieldPath: strings.Clone(f.FieldPath), Value: strings.Clone(f.Value), Rule: f.Rule, AlsoRules: alsoBy[i], Reason: f.Reason,
				Span: span(a.fields, places[i].leaf), Context: evidenceContext(a.fields, places[i].leaf)},
			Coord:  f.Coord,
			Source: report.Source{File: firstNonEmpty(p.Source, p.Capture), Line: p.Line, Frames: p.Frames},
		})
	}
	for _, t := range taxonomy.All {
		if types[string(t.Name)] {
			q.DataTypes = append(q.DataTypes, string(t.Name))
		}
	}
	a.facts.learn(rec.Findings)
	a.noteIPs(rec, a.fields)
	a.noteUins(rec, a.fields)
	if a.opts.OnRequest != nil {
		a.opts.OnRequest(RequestEvent{Request: q, Payload: p, Tree: m, Fields: a.fields})
	}
	if err := a.spool.put(rec); err != nil && a.err == nil {
		a.err = err
	}
}

// reqKeyOf names a request's endpoint: its path, else its type.
func reqKeyOf(path string, reqType int) string {
	if path != "" {
		return path
	}
	return "req " + strconv.Itoa(reqType)
}

func sourceString(p *payload.Payload) string {
	if p.Source != "" {
		return fmt.Sprintf("%s:%d", p.Source, p.Line)
	}
	if len(p.Frames) > 0 {
		return fmt.Sprintf("%s frames %v", p.Capture, p.Frames)
	}
	return p.Capture
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
