package wireshark

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/capture"
)

// flow builds one TCP connection's packets: a handshake, then each
// direction's writes cut into segments of at most mss bytes.
type flow struct {
	client, server netip.AddrPort
	seq            [2]uint32
	t              time.Time
	pkts           []capture.Packet
}

const testMSS = 1000

func newFlow(client, server string) *flow {
	f := &flow{client: netip.MustParseAddrPort(client), server: netip.MustParseAddrPort(server),
		seq: [2]uint32{1000, 5000}, t: time.Unix(1700000000, 0)}
	f.add(0, capture.SYN, nil)
	f.seq[0]++
	f.add(1, capture.SYN|capture.ACK, nil)
	f.seq[1]++
	f.add(0, capture.ACK, nil)
	return f
}

func (f *flow) add(dir int, flags capture.TCPFlags, data []byte) {
	src, dst := f.client, f.server
	if dir == 1 {
		src, dst = dst, src
	}
	f.t = f.t.Add(time.Millisecond)
	f.pkts = append(f.pkts, capture.Packet{Time: f.t, Src: src, Dst: dst, Seq: f.seq[dir], Ack: f.seq[1-dir],
		Flags: flags, Window: 65535, Payload: data})
}

// write sends data from dir (0 client, 1 server) in segments.
func (f *flow) write(dir int, data []byte) {
	for len(data) > 0 {
		n := min(len(data), testMSS)
		f.add(dir, capture.PSH|capture.ACK, data[:n])
		f.seq[dir] += uint32(n)
		data = data[n:]
	}
}

// recorder keeps every write to a conn, in order, by direction.
type recorder struct {
	net.Conn
	dir int
	mu  *sync.Mutex
	log *[]chunk
}

type chunk struct {
	dir  int
	data []byte
}

func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	*r.log = append(*r.log, chunk{r.dir, bytes.Clone(b)})
	r.mu.Unlock()
	return r.Conn.Write(b)
}

// tlsExchange runs a TLS handshake and one request and response over a
// pipe and returns the bytes each side wrote, in order.
func tlsExchange(t *testing.T) []chunk {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "example.test"},
		DNSNames: []string{"example.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log []chunk
	c, s := net.Pipe()
	server := tls.Server(&recorder{Conn: s, dir: 1, mu: &mu, log: &log},
		&tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
	client := tls.Client(&recorder{Conn: c, dir: 0, mu: &mu, log: &log},
		&tls.Config{ServerName: "example.test", InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 5)
		if _, err := io.ReadFull(server, buf); err != nil {
			done <- err
			return
		}
		_, err := server.Write(bytes.Repeat([]byte("x"), 3000))
		server.Close()
		done <- err
	}()
	if _, err := client.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(client); err != nil && !strings.Contains(err.Error(), "closed") {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return log
}

// TestTsharkWrappedPorts: on the ports mmtls takes over (80, 443, 8080),
// HTTP with a body over several segments and TLS read exactly as they do
// without the dissector.
func TestTsharkWrappedPorts(t *testing.T) {
	tsharkPath(t)
	var flows []*flow
	for _, port := range []string{"80", "8080"} {
		f := newFlow("10.0.0.1:40000", "10.0.0.2:"+port)
		f.write(0, []byte("GET /index.html HTTP/1.1\r\nHost: example.test\r\n\r\n"))
		body := strings.Repeat("<p>hello</p>\n", 300)
		f.write(1, []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body))
		flows = append(flows, f)
	}
	tf := newFlow("10.0.0.1:40001", "10.0.0.3:443")
	for _, ch := range tlsExchange(t) {
		tf.write(ch.dir, ch.data)
	}
	flows = append(flows, tf)

	var buf bytes.Buffer
	w, err := capture.NewWriter(&buf, capture.FormatPcapng, capture.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flows {
		for _, p := range f.pkts {
			if err := w.WritePacket(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ports.pcapng")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	with := tsharkFields(t, path, "_ws.col.Protocol", "_ws.col.Info", "mmtls")
	out := runTshark(t, path, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info")
	without := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(with) != len(without) {
		t.Fatalf("%d frames with the dissector, %d without", len(with), len(without))
	}
	protos := map[string]bool{}
	for i, f := range with {
		if f[3] != "" {
			t.Errorf("frame %s: mmtls found in HTTP or TLS", f[0])
		}
		if got := strings.Join(f[:3], "\t"); got != without[i] {
			t.Errorf("frame %s changed:\n with    %q\n without %q", f[0], got, without[i])
		}
		protos[f[1]] = true
	}
	for _, p := range []string{"HTTP", "TLSv1.2"} {
		if !protos[p] {
			t.Errorf("no %s frame (protocols %v)", p, protos)
		}
	}
}
