package mmtls

import (
	"bytes"
	"crypto/ecdh"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// keyScheduleVectors were computed once with an independent implementation
// (Python: cryptography's P-256 ECDH, HMAC-based HKDF-Expand) and pasted here.
// The private keys are SHA-256("mmtls vector client 7") and
// SHA-256("mmtls vector server"); seed 7 is the first whose ECDH X coordinate
// has a leading zero byte. The transcript hashes are SHA-256 of fixed strings
// standing in for the messages.
const keyScheduleVectors = `
client_priv   31f8348a6237fedd24b8307f9f6cc4fdd2cb310f2469a8c5a82fa85a4c119556
server_priv   3e598bae3a6b22c12e33394adf9c887829e9936d783e003e0d85d839d792af73
client_pub    0412909b1ba513026bd882d9842fbbf8f2d651d4b8943a345edb0c92e8f8a61f7a
              473d13d5560e099e368a6df9a7c30fbb222cfbfa0886ed437fbee357696668cd
server_pub    042e005cd28f565cd5edfe194a2395e76086dd68341d7e0b507dfe8445c0cd297c
              bce4b6cf020315b738b33698cd9d089f17fd13141c324063262f0c4fdc36c805
# X coordinate: note the leading zero byte
ecdh_x        0013396da5e986b4d44246779296de78987787f782faa115e5c6dccf0f1d746b
# secret = SHA-256(X padded to 32 bytes)
secret        6810d2981d7ee5614c065ec5a0c120805ae5313ebbb8eb24aa64f3b526346b49
# SHA-256 of X without its leading zero: the pitfall of doc/protocol.md §3
secret_wrong  50f770eaa2cd0e8d3fb0ec625bcd151657a21cbaafb36c3618352b543ef1eae6
# SHA-256("ClientHello|ServerHello")
th_hs         3001922f7a0078d0b387cf5587298c3c3ee89f116365ca1a67fa659ed222eb72
# SHA-256("ClientHello|ServerHello|CertificateVerify")
th_cv         077541e87806bce15e763a5e60cfdf863adf6bd4fc70bec2068219a6babf54d5
# SHA-256("ClientHello|ServerHello|CertificateVerify|NewSessionTicket")
th_app        abb05a0a7c88d08dfb716d6419fd369aab110e1b1bcc5a6541a8c04f31ed0375
# Expand(secret, "handshake key expansion" || th_hs, 56)
hs_client_key 33719ce9eb68062454fa7da060e81d8e
hs_server_key 9722a936dcbfa86d91a5b63403c79da5
hs_client_iv  2cce6b9eed6446e6577c3a87
hs_server_iv  6ba21d1019b2c80193693a9c
# Expand(secret, "expanded secret" || th_app, 32)
expanded      3ba2346cae328666a626d04454241f0e73cddc961173a2fb980f0515034a704b
# Expand(expanded, "application data key expansion" || th_app, 56)
app_client_key 9f9efd76041dd2a4b64837a7383a53da
app_server_key 9d1f072d38890a49a5c73303a67094c3
app_client_iv  75cfa747591700681c7a21a0
app_server_iv  0ee326d5ed5453f9ab9204c8
# Expand(secret, "PSK_ACCESS" || th_cv, 32), and PSK_REFRESH likewise
psk_access    0e667d58a9ef4c29c3387072216886af9e7aa5b7953cf1059542189d73ba642b
psk_refresh   0f292835ad4835533cbbe5e4436a6a9dfd9c8bd7dc00b475178c938307625bd0
# HMAC-SHA256(Expand(secret, "client finished" | "server finished", 32), th_app)
client_finished 4b0a6defeaf1b79bfd60c0b7238ef7b18012fbf20d024597d674d3eaf42e5c5b
server_finished 74e000429b1ad0bfbe10382c68d9a206f757fb93e71f7b417eb21ef8be2fc039
# SHA-256("0-RTT ClientHello")
ch_hash       a6559355a87401db206708425f4cd2a3e80c3ba512ea1892a3f77b8c0a33c5aa
# Expand(psk_access, "early data key expansion" || ch_hash, 28)
early_key     f6cdfa10c9291dc4317db827bd056e2d
early_iv      42bf2bf7ea864c7d539b63a4
# SHA-256("ClientHello|EncryptedExtensions|ServerHello")
th_0rtt       91d4815f16b7cbcf086b6a7c1555a3cac82fbfc76f9c1a2118b2b51d71c5b3d6
# Expand(psk_access, "handshake key expansion" || th_0rtt, 28)
resp_key      3571c271772b01d287af1d86c14bb054
resp_iv       c360cec0aae58689ab326546
`

// parseVector reads "name hex..." lines (a line without a name continues
// the previous value; "#" starts a comment).
func parseVector(t testing.TB, s string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var name string
	for line := range strings.Lines(s) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			name, f = f[0], f[1:]
		}
		b, err := hex.DecodeString(strings.Join(f, ""))
		if err != nil || name == "" {
			t.Fatalf("bad vector line %q", line)
		}
		out[name] = append(out[name], b...)
	}
	return out
}

func TestKeySchedule(t *testing.T) {
	v := parseVector(t, keyScheduleVectors)
	eq := func(name string, got []byte) {
		t.Helper()
		if !bytes.Equal(got, v[name]) {
			t.Errorf("%s: got %x, want %x", name, got, v[name])
		}
	}
	cpriv, err := ecdh.P256().NewPrivateKey(v["client_priv"])
	if err != nil {
		t.Fatal(err)
	}
	spriv, err := ecdh.P256().NewPrivateKey(v["server_priv"])
	if err != nil {
		t.Fatal(err)
	}
	eq("client_pub", cpriv.PublicKey().Bytes())
	eq("server_pub", spriv.PublicKey().Bytes())

	t.Run("ecdh", func(t *testing.T) {
		x, _ := cpriv.ECDH(spriv.PublicKey())
		eq("ecdh_x", x)
		s1, err := ecdhSecret(cpriv, spriv.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		s2, _ := ecdhSecret(spriv, cpriv.PublicKey())
		eq("secret", s1[:])
		eq("secret", s2[:])
		// A big-integer X (leading zero stripped) must be padded back.
		s3, err := secretFromX(bytes.TrimLeft(v["ecdh_x"], "\x00"))
		if err != nil {
			t.Fatal(err)
		}
		eq("secret", s3[:])
		wrong := sha256.Sum256(bytes.TrimLeft(v["ecdh_x"], "\x00"))
		eq("secret_wrong", wrong[:])
		if _, err := secretFromX(make([]byte, 33)); err == nil {
			t.Error("SecretFromX accepted 33 bytes")
		}
	})
	secret := v["secret"]
	th := func(name string) transcriptHash { return transcriptHash(v[name]) }
	t.Run("transcript", func(t *testing.T) {
		got := hashMessages([]byte("ClientHello|"), []byte("ServerHello"))
		eq("th_hs", got[:])
	})
	t.Run("handshake keys", func(t *testing.T) {
		c, s := handshakeKeys(secret, th("th_hs"))
		eq("hs_client_key", c.Key[:])
		eq("hs_server_key", s.Key[:])
		eq("hs_client_iv", c.IV[:])
		eq("hs_server_iv", s.IV[:])
	})
	t.Run("expanded secret", func(t *testing.T) {
		e := expandedSecret(secret, th("th_app"))
		eq("expanded", e[:])
	})
	t.Run("application keys", func(t *testing.T) {
		c, s := applicationKeys(v["expanded"], th("th_app"))
		eq("app_client_key", c.Key[:])
		eq("app_server_key", s.Key[:])
		eq("app_client_iv", c.IV[:])
		eq("app_server_iv", s.IV[:])
	})
	t.Run("psk", func(t *testing.T) {
		a := pskAccess(secret, th("th_cv"))
		r := pskRefresh(secret, th("th_cv"))
		eq("psk_access", a[:])
		eq("psk_refresh", r[:])
	})
	t.Run("finished", func(t *testing.T) {
		c := finishedMAC(secret, true, th("th_app"))
		s := finishedMAC(secret, false, th("th_app"))
		eq("client_finished", c[:])
		eq("server_finished", s[:])
	})
	t.Run("early data key", func(t *testing.T) {
		got := hashMessages([]byte("0-RTT ClientHello"))
		eq("ch_hash", got[:])
		k := earlyDataKey(v["psk_access"], th("ch_hash"))
		eq("early_key", k.Key[:])
		eq("early_iv", k.IV[:])
	})
	t.Run("0-RTT response key", func(t *testing.T) {
		k := zeroRTTResponseKey(v["psk_access"], th("th_0rtt"))
		eq("resp_key", k.Key[:])
		eq("resp_iv", k.IV[:])
	})
}

func BenchmarkKeySchedule(b *testing.B) {
	secret := make([]byte, 32)
	var th transcriptHash
	b.ReportAllocs()
	for b.Loop() {
		handshakeKeys(secret, th)
		e := expandedSecret(secret, th)
		applicationKeys(e[:], th)
	}
}
