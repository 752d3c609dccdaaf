package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/schemaless"
)

// checkAppendJSON compares Record.AppendJSON with json.Marshal.
func checkAppendJSON(t *testing.T, r *Record) {
	t.Helper()
	var fs []Field
	if r.Tree != nil {
		fs = flatten(r.Tree)
	}
	want, werr := json.Marshal(fieldsRecord{*r, fs})
	got, gerr := r.AppendJSON(nil)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("errors differ: AppendJSON %v, json.Marshal %v", gerr, werr)
	}
	if werr == nil && !bytes.Equal(got, want) {
		t.Fatalf("AppendJSON differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
}

func TestAppendJSONMatchesMarshal(t *testing.T) {
	d := NewDecoder(Options{})
	seq := uint64(3)
	for _, p := range []payload.Payload{
		{Link: payload.LinkLog, Direction: payload.DirRequest, URI: "/cgi-bin/micromsg-bin/newsync", ReqType: 138, Payload: synthetic()},
		{Link: payload.LinkShortlink, Direction: payload.DirResponse, RecordSeq: &seq, URI: "/x?<a>&b", Payload: []byte{}},
		{Link: payload.LinkHTTP, Direction: payload.DirRequest, Payload: []byte("uin=1&v=<script>\u2028&x=%ff")},
		{Link: payload.LinkLog, Direction: payload.DirRequest, Payload: []byte(`{"a": [1, 2.5e-9, "<&>"], "b": null, "c": true}`)},
		{Link: payload.LinkLog, Direction: payload.DirRequest, Payload: []byte{0xff, 0xfe, 0x00, 0x01}},
	} {
		r := d.Decode(p)
		checkAppendJSON(t, &r)
	}
	hostile := &schemaless.Node{Path: "1.2", Index: 2, Name: "n\"", Wire: schemaless.WireBytes, Kind: schemaless.KindNumber,
		Chain: []schemaless.Kind{schemaless.KindBytes, schemaless.KindString}, Confidence: 0.95, Text: " 1e5 ", Span: schemaless.Span{Offset: 3, Length: 4},
		Derived: true, Hints: []string{"h<"}, Alternatives: []schemaless.Alternative{{Kind: schemaless.KindBytes, Confidence: 1e-7, Reason: "x"}}, Reason: "why", Budget: "nodes"}
	fixed := &schemaless.Node{Path: "3", Kind: schemaless.KindFixed64, Wire: schemaless.WireFixed64, Uint: 7, HasFloat: true, Float: 1e-9, Confidence: 1}
	strs := []*schemaless.Node{{Path: "4", Kind: schemaless.KindString, Text: "a <b>&\u2028 \xff —"}, {Path: "5", Kind: schemaless.KindNumber, Text: "1 2"}, {Path: "6", Kind: schemaless.KindNull}, {Path: "7", Kind: schemaless.KindBool, Uint: 1}}
	root := &schemaless.Node{Kind: schemaless.KindMessage, Children: append([]*schemaless.Node{hostile, fixed}, strs...)}
	r := Record{Feature: "f<>", Reason: "r&", Budgets: []string{"\x00"}, Tree: &schemaless.Tree{Root: root}}
	checkAppendJSON(t, &r)
	root.Reason = "opaque" // the root is a field then
	checkAppendJSON(t, &r)
	root.Reason, root.Children = "", nil // no field at all
	checkAppendJSON(t, &r)
	root.Children = []*schemaless.Node{hostile, fixed}
	for _, bad := range []*float64{&hostile.Confidence, &fixed.Float, &hostile.Alternatives[0].Confidence} {
		keep := *bad
		*bad = math.NaN()
		checkAppendJSON(t, &r)
		*bad = keep
	}
}

// TestAppendJSONMatchesMarshalShared compares over every record of the
// shared request logs.
func TestAppendJSONMatchesMarshalShared(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedDir(t), "report-logs", "*.log.jsonl"))
	if len(files) == 0 {
		t.Fatal("no report logs")
	}
	n := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		d := NewDecoder(Options{})
		r := NewReader(f, filepath.Base(name))
		for {
			p, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rec := d.Decode(p)
			checkAppendJSON(t, &rec)
			n++
		}
		f.Close()
	}
	t.Logf("%d records identical", n)
}
