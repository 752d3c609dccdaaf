package hexflow

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/capture"
)

// TestFromCaptureMarksGaps: bytes after a segment missing from the capture
// start a new flow marked with the gap, never joined to the bytes before.
func TestFromCaptureMarksGaps(t *testing.T) {
	cli := netip.MustParseAddrPort("10.0.0.2:40000")
	srv := netip.MustParseAddrPort("203.0.113.5:443")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	w, err := capture.NewWriter(&buf, capture.FormatPcap, capture.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []capture.Packet{
		{Time: t0, Src: cli, Dst: srv, Seq: 100, Flags: capture.SYN},
		{Time: t0, Src: srv, Dst: cli, Seq: 900, Ack: 101, Flags: capture.SYN | capture.ACK},
		{Time: t0, Src: cli, Dst: srv, Seq: 101, Ack: 901, Flags: capture.ACK | capture.PSH, Payload: []byte("abc")},
		// "def" at 104 was not captured.
		{Time: t0, Src: cli, Dst: srv, Seq: 107, Ack: 901, Flags: capture.ACK | capture.PSH, Payload: []byte("ghi")},
	} {
		if err := w.WritePacket(p); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	convs, err := FromCapture(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != 1 || len(convs[0].Flows) != 2 {
		t.Fatalf("got %+v", convs)
	}
	f := convs[0].Flows
	if string(f[0].Data) != "abc" || string(f[1].Data) != "ghi" || f[1].Gap != "3 bytes not captured" || f[0].Gap != "" {
		t.Fatalf("flows %+v", f)
	}
	var out bytes.Buffer
	Write(&out, convs[0])
	if !bytes.Contains(out.Bytes(), []byte("# gap: 3 bytes not captured\n>>> Flow 2 (client to server)")) {
		t.Fatalf("written:\n%s", out.String())
	}
}
