package mmtls

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    *Record // nil: must fail
		wantN   int
		wantErr error
		wantOff int64
	}{
		{"alert", dhex("15 f104 0007 00000003 000101"), &Record{RecordTypeAlert, recordVersion, dhex("00000003 000101")}, 12, nil, 0},
		{"handshake with trailing", dhex("16 f104 0002 aabb 17"), &Record{RecordTypeHandshake, recordVersion, dhex("aabb")}, 7, nil, 0},
		{"data empty", dhex("17 f104 0000"), &Record{RecordTypeData, recordVersion, []byte{}}, 5, nil, 0},
		{"early handshake", dhex("19 f104 0001 00"), &Record{RecordTypeEarlyHandshake, recordVersion, dhex("00")}, 6, nil, 0},
		{"empty", nil, nil, 0, io.ErrUnexpectedEOF, 0},
		{"type only", dhex("16"), nil, 0, io.ErrUnexpectedEOF, 0},
		{"header short", dhex("16 f104 00"), nil, 0, io.ErrUnexpectedEOF, 0},
		{"body short", dhex("16 f104 0003 0000"), nil, 0, io.ErrUnexpectedEOF, 0},
		{"unknown type", dhex("ed f104 0000"), nil, 0, errRecordType, 0},
		{"http", []byte("POST /mmtls/0000 HTTP/1.1"), nil, 0, errRecordType, 0},
		{"bad version", dhex("16 0303 0000"), nil, 0, errRecordVersion, 1},
		{"bad version partial", dhex("17 f1 05"), nil, 0, errRecordVersion, 1},
		{"bad version first byte", dhex("17 03"), nil, 0, errRecordVersion, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, n, err := ParseRecord(tt.in)
			if tt.want == nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if n != 0 || rec.Body != nil {
					t.Fatalf("on error got n=%d body=%x, want zero", n, rec.Body)
				}
				var pe *parseError
				if errors.As(err, &pe) && pe.Offset != tt.wantOff {
					t.Fatalf("offset = %d, want %d", pe.Offset, tt.wantOff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantN || rec.Type != tt.want.Type || rec.Version != tt.want.Version || !bytes.Equal(rec.Body, tt.want.Body) {
				t.Fatalf("got %v %x n=%d, want %v %x n=%d", rec.Type, rec.Body, n, tt.want.Type, tt.want.Body, tt.wantN)
			}
			if got := appendRecord(nil, rec); !bytes.Equal(got, tt.in[:n]) {
				t.Fatalf("AppendRecord = %x, want %x", got, tt.in[:n])
			}
		})
	}
}

func TestParseRecordStrictPrefix(t *testing.T) {
	full := appendRecord(nil, Record{Type: RecordTypeData, Body: bytes.Repeat([]byte{0xab}, 40)})
	for i := range len(full) {
		if _, _, err := ParseRecord(full[:i]); err != io.ErrUnexpectedEOF {
			t.Fatalf("prefix %d: err = %v, want io.ErrUnexpectedEOF", i, err)
		}
	}
}

func TestRecordTypeString(t *testing.T) {
	for typ, want := range map[RecordType]string{
		RecordTypeAlert: "alert", RecordTypeHandshake: "handshake", RecordTypeData: "data",
		RecordTypeEarlyHandshake: "early handshake", 0x18: "0x18", 0xed: "0xed",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%d: got %q, want %q", typ, got, want)
		}
	}
}

func TestIsPlaintext(t *testing.T) {
	tests := []struct {
		rec  Record
		want bool
	}{
		{Record{RecordTypeHandshake, recordVersion, dhex("00000002 0102")}, true},
		{Record{RecordTypeEarlyHandshake, recordVersion, dhex("00000000")}, true},
		{Record{RecordTypeAlert, recordVersion, dhex("00000003 000101")}, true},
		{Record{RecordTypeAlert, recordVersion, dhex("00000004 000101")}, false},
		{Record{RecordTypeData, recordVersion, dhex("00000002 0102")}, false},
		{Record{RecordTypeHandshake, recordVersion, dhex("000000")}, false},
		{Record{RecordTypeHandshake, recordVersion, dhex("5e3c479ec1f2ff70")}, false},
	}
	for i, tt := range tests {
		if got := IsPlaintext(tt.rec); got != tt.want {
			t.Errorf("%d: IsPlaintext(%v %x) = %v, want %v", i, tt.rec.Type, tt.rec.Body, got, tt.want)
		}
	}
}

func TestReader(t *testing.T) {
	var stream []byte
	bodies := [][]byte{dhex("00000001 01"), bytes.Repeat([]byte{7}, 3000), nil, dhex("00000003 000101")}
	types := []RecordType{RecordTypeHandshake, RecordTypeData, RecordTypeData, RecordTypeAlert}
	for i, b := range bodies {
		stream = appendRecord(stream, Record{Type: types[i], Body: b})
	}
	t.Run("clean", func(t *testing.T) {
		r := newRecordReader(bytes.NewReader(stream))
		for i := range bodies {
			rec, err := r.Next()
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			if rec.Type != types[i] || !bytes.Equal(rec.Body, bodies[i]) {
				t.Fatalf("record %d: got %v len %d", i, rec.Type, len(rec.Body))
			}
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("end: err = %v, want io.EOF", err)
		}
		if r.Offset() != int64(len(stream)) {
			t.Fatalf("offset %d, want %d", r.Offset(), len(stream))
		}
	})
	t.Run("truncated", func(t *testing.T) {
		r := newRecordReader(bytes.NewReader(stream[:20]))
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Next(); err != io.ErrUnexpectedEOF {
			t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
		}
		if _, err := r.Next(); err != io.ErrUnexpectedEOF {
			t.Fatalf("not sticky: %v", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		bad := append(append([]byte{}, stream[:10]...), 0xee, 0xf1, 0x04, 0, 0)
		r := newRecordReader(bytes.NewReader(bad))
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		_, err := r.Next()
		var pe *parseError
		if !errors.As(err, &pe) || pe.Offset != 10 || !errors.Is(err, errRecordType) {
			t.Fatalf("err = %v, want ErrRecordType at offset 10", err)
		}
	})
}

func FuzzParseRecord(f *testing.F) {
	f.Add(dhex("15 f104 0007 00000003 000101"))
	f.Add(dhex("17 f104 0000"))
	f.Add(dhex("19 f104 0003 000000"))
	f.Add(dhex("16 0303 0000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, n, err := ParseRecord(b)
		if err != nil {
			if n != 0 || rec.Body != nil {
				t.Fatalf("error with results: n=%d", n)
			}
			return
		}
		if n != recordHeaderLen+len(rec.Body) || n > len(b) {
			t.Fatalf("n = %d, body %d, input %d", n, len(rec.Body), len(b))
		}
		if got := appendRecord(nil, rec); !bytes.Equal(got, b[:n]) {
			t.Fatalf("round trip: %x != %x", got, b[:n])
		}
		// The recordReader must agree with ParseRecord.
		r := newRecordReader(bytes.NewReader(b))
		rec2, err := r.Next()
		if err != nil || rec2.Type != rec.Type || !bytes.Equal(rec2.Body, rec.Body) {
			t.Fatalf("Reader disagrees: %v", err)
		}
	})
}
