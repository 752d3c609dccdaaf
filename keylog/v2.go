// This file reads version 2 of the secrets key log: version 1's labels,
// MMTLS_RECORD, and trailing key=value attributes saying which process,
// hook and connection logged a line and when (package doc).

package keylog

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/url"
	"strconv"
	"time"

	"github.com/wxaudit/wxaudit/mmtls"
)

// SecretsHeaderV2 starts a version 2 secrets key log.
const SecretsHeaderV2 = "# wxaudit-secrets v2"

// LabelRecord is a v2 line carrying one MMTLS record key, for hooks that
// see the record cipher but not the connection secrets:
//
//	MMTLS_RECORD <aad, 13 bytes> <key, 16 bytes> <nonce, 12 bytes> <tail, 8 bytes>
const LabelRecord = "MMTLS_RECORD"

// Secrets header versions as tracked while reading a file.
const (
	versionNone        = 0
	versionUnsupported = -1
)

// Meta is the provenance of a v2 line. Every field is optional.
type Meta struct {
	Time    time.Time // when the hook saw the key (device clock)
	Process string    // e.g. com.tencent.mm:appbrand0
	PID     int
	Hook    string // which hook logged it, e.g. "export:mmcrypto::AesGcmEncrypt"
	Conn    string // connection hint from the hook (opaque)
	Line    int    // line number in its file, set by Parse and Follower
}

// parseVersioned parses one line of a file whose last secrets header
// named *version, updating *version when the line is a header.
func parseVersioned(line []byte, version *int) (Entry, error) {
	t := bytes.TrimSpace(line)
	if bytes.HasPrefix(t, []byte(secretsHeaderStart)) {
		switch string(t) {
		case SecretsHeader:
			*version = 1
		case SecretsHeaderV2:
			*version = 2
		default:
			*version = versionUnsupported
		}
		return ParseLine(line)
	}
	if len(t) == 0 || t[0] == '#' || t[0] == '{' {
		return ParseLine(line)
	}
	switch *version {
	case 2:
		if len(t) > MaxLineLen {
			return Entry{}, malformed("line too long (%d bytes)", len(t))
		}
		return parseSecretsV2(t)
	case versionUnsupported:
		return Entry{}, malformed("line under an unsupported secrets version header")
	}
	return ParseLine(line)
}

// ParseLineV2 parses one line of a version 2 secrets key log (or a Frida
// line, comment or header), as ParseLine does for version 1.
func ParseLineV2(line []byte) (Entry, error) {
	v := 2
	return parseVersioned(line, &v)
}

func parseSecretsV2(line []byte) (Entry, error) {
	fields := bytes.Fields(line)
	n := len(fields)
	for i, f := range fields {
		if bytes.IndexByte(f, '=') >= 0 {
			n = i
			break
		}
	}
	if n == 0 {
		return Entry{}, malformed("attributes without a label")
	}
	for _, f := range fields[n:] {
		if bytes.IndexByte(f, '=') < 0 {
			return Entry{}, malformed("field %q after attributes", f)
		}
	}
	meta, dir, err := parseAttrs(fields[n:])
	if err != nil {
		return Entry{}, err
	}
	var e Entry
	if string(fields[0]) == LabelRecord {
		e, err = parseRecordLine(fields[1:n])
		e.Encrypt = dir == "enc"
	} else {
		e, err = parseSecrets(bytes.Join(fields[:n], []byte{' '}))
	}
	if err != nil {
		return Entry{}, err
	}
	e.Meta = meta
	return e, nil
}

// parseRecordLine reads the fields of MMTLS_RECORD into a KindOuter entry,
// the same entry a Frida OUTER line gives.
func parseRecordLine(args [][]byte) (Entry, error) {
	if len(args) != 4 {
		return Entry{}, malformed("%s: want 4 fields, got %d", LabelRecord, len(args))
	}
	var aad [outerAADLen]byte
	var e Entry
	for i, dst := range [][]byte{aad[:], e.Key16[:], e.Nonce[:], e.Tail[:]} {
		if len(args[i]) != 2*len(dst) {
			return Entry{}, malformed("%s: field %d: want %d hex digits, got %d", LabelRecord, i+1, 2*len(dst), len(args[i]))
		}
		if _, err := hex.Decode(dst, args[i]); err != nil {
			return Entry{}, malformed("%s: field %d: bad hex", LabelRecord, i+1)
		}
	}
	e.Kind = KindOuter
	e.Seq = binary.BigEndian.Uint64(aad[:8])
	copy(e.Header[:], aad[8:])
	e.BaseIV = mmtls.BaseIV(e.Nonce, e.Seq)
	return e, nil
}

// parseAttrs reads key=value attributes (values query-escaped); unknown
// keys are ignored so later versions may add some.
func parseAttrs(attrs [][]byte) (*Meta, string, error) {
	if len(attrs) == 0 {
		return nil, "", nil
	}
	m := &Meta{}
	var dir string
	for _, a := range attrs {
		k, v, _ := bytes.Cut(a, []byte{'='})
		val, err := url.QueryUnescape(string(v))
		if err != nil {
			return nil, "", malformed("attribute %q: bad escape", k)
		}
		switch string(k) {
		case "time":
			t, err := time.Parse(time.RFC3339Nano, val)
			if err != nil {
				return nil, "", malformed("attribute time: not RFC 3339")
			}
			m.Time = t
		case "process":
			m.Process = val
		case "pid":
			pid, err := strconv.Atoi(val)
			if err != nil || pid < 0 {
				return nil, "", malformed("attribute pid: not a number")
			}
			m.PID = pid
		case "hook":
			m.Hook = val
		case "conn":
			m.Conn = val
		case "dir":
			dir = val
		}
	}
	return m, dir, nil
}

// appendAttrs appends m as v2 attributes (" key=value" each, values
// query-escaped), without a newline.
func appendAttrs(dst []byte, m *Meta) []byte {
	if m == nil {
		return dst
	}
	add := func(k, v string) {
		if v != "" {
			dst = append(dst, ' ')
			dst = append(dst, k...)
			dst = append(dst, '=')
			dst = append(dst, url.QueryEscape(v)...)
		}
	}
	if !m.Time.IsZero() {
		add("time", m.Time.UTC().Format(time.RFC3339Nano))
	}
	add("process", m.Process)
	if m.PID > 0 {
		add("pid", strconv.Itoa(m.PID))
	}
	add("hook", m.Hook)
	add("conn", m.Conn)
	return dst
}

func (l *Log) noteSecretMeta(e Entry) {
	if e.Meta == nil {
		return
	}
	if l.secretMeta == nil {
		l.secretMeta = map[[32]byte]*Meta{}
	}
	l.secretMeta[e.ClientRandom] = e.Meta
}

// SecretMeta returns the v2 metadata of the MMTLS_SECRET or
// MMTLS_PSK_ACCESS line for a ClientHello random, or nil.
func (l *Log) SecretMeta(clientRandom [32]byte) *Meta { return l.secretMeta[clientRandom] }
