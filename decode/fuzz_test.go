package decode

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// readerSeeds are inputs of each format and the ones that once crashed or
// misbehaved: {"data": null} (a nil dereference), a line past the limit.
var readerSeeds = []string{
	`{"data": "0a0208011001", "req_id": 138, "req_type": "/cgi-bin/micromsg-bin/newsync"}` + "\n",
	`{"data": null}` + "\n" + `{"data": "08", "req_id": 1}`,
	`{"data": "", "req_id": null, "req_type": null}`,
	`{"plaintext": null, "metadata": "00"}`,
	`{"metadata": "0000001e000a2f6367692d62696e2f780003686f7374", "plaintext": "0801"}`,
	`{"capture":"c.pcap","frames":[1,2],"link":"shortlink","direction":"request","uri":"/x","payload":"0801"}`,
	`{"payload": null}`,
	`{"payload": "zz"}`,
	"\xd4\xc3\xb2\xa1\x02\x00\x04\x00",
	"not json\n{\n",
}

// checkReader reads everything from in and checks the Reader's contract:
// no panic, parse errors do not stop it, other errors are sticky.
func checkReader(t *testing.T, in []byte) {
	r := NewReader(bytes.NewReader(in), "fuzz")
	for range 1 << 16 {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			if _, err2 := r.Next(); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("error not sticky: %v then %v", err, err2)
			}
			return
		}
	}
	t.Fatal("no end")
}

// FuzzRequestLogReader fuzzes the reader on request-log shaped lines.
func FuzzRequestLogReader(f *testing.F) {
	for _, s := range readerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkReader(t, in)
	})
}

// FuzzPayloadReader fuzzes the reader on wxaudit decrypt output: the
// fuzzed bytes are the fields of a payload line.
func FuzzPayloadReader(f *testing.F) {
	f.Add(`"link":"longlink","direction":"response","cmd_id":121`, "0801")
	f.Add(`"record_seq":-1,"frames":[null]`, "")
	f.Add(`"conn":{"client":1}`, "zz")
	f.Fuzz(func(t *testing.T, fields, hex string) {
		line := `{"capture":"c.pcap",` + fields + `,"payload":"` + hex + `"}`
		checkReader(t, []byte(strings.Repeat(line+"\n", 2)))
	})
}

func TestReaderSeeds(t *testing.T) {
	for _, s := range readerSeeds {
		checkReader(t, []byte(s))
	}
	// A line over maxLineSize is one counted bad line; the next is read.
	long := `{"data": "` + strings.Repeat("ab", maxLineSize/2) + `"}` + "\n" + `{"data": "08"}` + "\n"
	r := NewReader(strings.NewReader(long), "long")
	var pe *ParseError
	if _, err := r.Next(); !errors.As(err, &pe) {
		t.Fatalf("long line: %v", err)
	}
	if p, err := r.Next(); err != nil || len(p.Payload) != 1 {
		t.Fatalf("line after the long one: %v %v", p, err)
	}
}

// FuzzLogLineSame checks that the request-log fast path reads a line as
// encoding/json does, whenever it takes it.
func FuzzLogLineSame(f *testing.F) {
	for _, s := range append(readerSeeds,
		`{"req_type":"/x" ,"data":"0A08", "req_id":-0}`, `{"data":"", "req_id":1.0}`, `{"data":"","data":"08"}`,
		`{"data":"08","req_id":0123}`, `{"data":"08","Req_ID":5}`, `{"data":"08"}x`, `{"data":"0","req_id":1}`,
		`{"data":"08","req_type":"/a\u0062"}`, `{"data":"08","req_id":999999999}`, `{"data":"08","req_id":null,"req_type":null}`, `{"data":"08","req_type":nul}`, `{ }`, `{"data":"08",}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, ok := logLineFast(line, "f", 1)
		if !ok {
			return
		}
		want, format, err := parseLineJSON(line, "f", 1)
		if err != nil || format != formatLog {
			t.Fatalf("fast path took %q, encoding/json: %v (%s)", line, err, format)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: fast %+v, encoding/json %+v", line, got, want)
		}
	})
}
