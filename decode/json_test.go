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
	want, werr := json.Marshal(r)
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
	f := 1e-9
	hostile := Record{Feature: "f<>", Reason: "r&", Budgets: []string{"\x00"}, Fields: []Field{
		{Path: "1.2", Index: 2, Depth: 1, Name: "n\"", Wire: "bytes", Kind: schemaless.KindString, Chain: []schemaless.Kind{schemaless.KindBytes, schemaless.KindString},
			Confidence: 0.95, Value: json.RawMessage(`{ "a" : "<b>" }`), Float: &f, Span: [2]int{3, 4}, Derived: true, Hints: []string{"h"},
			Alternatives: []schemaless.Alternative{{Kind: schemaless.KindBytes, Confidence: 1e-7, Reason: "x"}}, Reason: "why", Budget: "nodes"},
	}}
	checkAppendJSON(t, &hostile)
	hostile.Fields[0].Confidence = math.NaN()
	checkAppendJSON(t, &hostile)
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
