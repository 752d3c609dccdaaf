package wireshark

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
	"github.com/wxaudit/wxaudit/taxonomy"
)

func ptr[T any](v T) *T { return &v }

// examplePDU is a Longlink request with every field set.
var examplePDU = PDU{
	Payload: payload.Payload{
		Frames: []int64{7, 9}, Link: payload.LinkLonglink, Direction: payload.DirRequest,
		RecordSeq: ptr(uint64(2)), URI: "/cgi-bin/micromsg-bin/newsync", Host: "sglong.wechat.com",
		ReqType: 138, Uin: 0x01020304, ClientVersion: 0x28001737, CmdID: 121, LonglinkSeq: 26,
		Inner: taxonomy.InnerAESCBC, Compressed: true, Part: "payload", SignatureOK: ptr(true),
		Payload: payload.Hex{0x08, 0x01},
	},
	Endpoint: "/cgi-bin/micromsg-bin/newsync",
}

var examplePDUBytes = testkit.Hex(`
	01                                  # version
	01 0008 6c6f6e676c696e6b            # link "longlink"
	02 0007 72657175657374              # direction "request"
	03 001d 2f6367692d62696e2f6d6963726f6d73672d62696e2f6e657773796e63 # uri
	04 0011 73676c6f6e672e7765636861742e636f6d # host
	05 0004 0000008a                    # req type 138
	06 0004 01020304                    # uin
	07 0004 28001737                    # client version
	08 0004 00000079                    # cmd id 121
	09 0004 0000001a                    # longlink seq 26
	0a 0007 6165732d636263              # inner "aes-cbc"
	0b 0001 01                          # compressed
	0c 0007 7061796c6f6164              # part "payload"
	0d 0001 01                          # signature ok
	0e 0008 0000000000000002            # record seq
	0f 0008 00000007 00000009           # frames 7, 9
	10 001d 2f6367692d62696e2f6d6963726f6d73672d62696e2f6e657773796e63 # endpoint
	00 0000                             # end
	0801                                # body
`)

func TestAppendPDU(t *testing.T) {
	got := AppendPDU(nil, &examplePDU)
	if !bytes.Equal(got, examplePDUBytes) {
		t.Errorf("got %x, want %x", got, examplePDUBytes)
	}
}

func TestParsePDU(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    *PDU
		wantErr error
	}{
		{"every field", examplePDUBytes, &examplePDU, nil},
		{"minimal", testkit.Hex("01 00 0000"), &PDU{Payload: payload.Payload{Payload: payload.Hex{}}}, nil},
		{"unknown tag skipped", testkit.Hex("01 7f 0002 abcd 02 0008 726573706f6e7365 00 0000 ff"),
			&PDU{Payload: payload.Payload{Direction: "response", Payload: payload.Hex{0xff}}}, nil},
		{"empty", nil, nil, io.ErrUnexpectedEOF},
		{"later version", testkit.Hex("02 00 0000"), nil, ErrPDUVersion},
		{"no end tag", testkit.Hex("01"), nil, io.ErrUnexpectedEOF},
		{"field past the end", testkit.Hex("01 03 0005 2f61"), nil, io.ErrUnexpectedEOF},
		{"end tag with a value", testkit.Hex("01 00 0001 00"), nil, ErrPDUField},
		{"short number", testkit.Hex("01 05 0002 0001 00 0000"), nil, ErrPDUField},
		{"odd frames", testkit.Hex("01 0f 0003 000001 00 0000"), nil, ErrPDUField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePDU(tt.in)
			if tt.wantErr != nil {
				var pe *PDUError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &pe) || got != nil {
					t.Fatalf("got %+v, %v; want nil, *PDUError wrapping %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestParsePDUPrefixes: no strict prefix of a message's fields parses (a
// prefix of the body does: the body is the rest of the packet).
func TestParsePDUPrefixes(t *testing.T) {
	header := len(examplePDUBytes) - 2
	for n := range header {
		if _, err := ParsePDU(examplePDUBytes[:n]); err == nil {
			t.Errorf("prefix of %d bytes parsed", n)
		}
	}
}

// TestPDURoundTrip writes every payload of a synthetic run and reads it
// back.
func TestPDURoundTrip(t *testing.T) {
	var c, s, f, m bytes.Buffer
	if _, err := synth.GenerateTo(synth.Writers{Capture: &c, Secrets: &s, Frida: &f, Manifest: &m}, synth.Options{Seed: 5}); err != nil {
		t.Fatal(err)
	}
	entries, err := synth.ReadManifest(&m)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no payloads")
	}
	for i, e := range entries {
		want := PDU{Payload: e.Payload}
		want.Capture, want.Time, want.Conn = "", "", nil // not in the message
		got, err := ParsePDU(AppendPDU(nil, &want))
		if err != nil {
			t.Fatalf("payload %d: %v", i, err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("payload %d (-want +got)\n%s", i, diff)
		}
	}
}

// FuzzParsePDU: no panic; a parsed message has no result on error, and
// writes back to a message that parses to the same content.
func FuzzParsePDU(f *testing.F) {
	f.Add(examplePDUBytes)
	f.Add(testkit.Hex("01 00 0000"))
	f.Add(testkit.Hex("01 7f 0002 abcd 00 0000 ff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParsePDU(b)
		if err != nil {
			if m != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		again, err := ParsePDU(AppendPDU(nil, m))
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("round trip (-first +second)\n%s", diff)
		}
	})
}
