// Package pcapfile writes pcapng files: a section header, one interface,
// then Enhanced Packet Blocks, little-endian
// (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).
// Packages capture and wireshark write their captures with it.
//
// It is hand-written rather than gopacket's pcapgo: linking gopacket put
// 5 MB of pointer-holding tables in the wxaudit binary, which the garbage
// collector scans on each cycle of every command. The bytes written are
// the ones pcapgo wrote, which the tests check.
package pcapfile

import (
	"bufio"
	"encoding/binary"
	"io"
	"runtime"
	"time"
)

// Section describes the writer of a file: its Section Header Block options.
type Section struct {
	Application string // shb_userappl
}

// Interface is the one interface of a file.
type Interface struct {
	LinkType    uint16
	SnapLength  uint32
	Name        string // if_name
	Description string // if_description
}

// Block types and option codes written here.
const (
	blockSectionHeader  = 0x0a0d0d0a
	blockInterface      = 1
	blockEnhancedPacket = 6
	byteOrderMagic      = 0x1a2b3c4d

	optEndOfOptions   = 0
	optSHBHardware    = 2
	optSHBOS          = 3
	optSHBApplication = 4
	optIfName         = 2
	optIfDescription  = 3
	optIfTSResolution = 9
	optIfOS           = 12
)

// NgWriter writes a pcapng stream with nanosecond timestamps through a
// buffer: call Flush at the end. It is not safe for concurrent use.
type NgWriter struct {
	w   *bufio.Writer
	buf []byte
}

// NewNgWriter writes the section header and the interface description
// through a buffer of size bytes, and returns the writer.
func NewNgWriter(w io.Writer, size int, s Section, intf Interface) (*NgWriter, error) {
	nw := &NgWriter{w: bufio.NewWriterSize(w, size)}

	var opts []byte
	opts = appendOption(opts, optSHBApplication, s.Application)
	opts = appendOption(opts, optSHBHardware, runtime.GOARCH)
	opts = appendOption(opts, optSHBOS, runtime.GOOS)
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, blockSectionHeader)
	b = binary.LittleEndian.AppendUint32(b, uint32(28+len(opts)+4))
	b = binary.LittleEndian.AppendUint32(b, byteOrderMagic)
	b = binary.LittleEndian.AppendUint16(b, 1) // version 1.0
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint64(b, ^uint64(0)) // section length: unspecified
	b = appendOptions(b, opts)
	b = binary.LittleEndian.AppendUint32(b, uint32(28+len(opts)+4))

	opts = opts[:0]
	opts = appendOption(opts, optIfName, intf.Name)
	opts = appendOption(opts, optIfDescription, intf.Description)
	opts = appendOption(opts, optIfOS, runtime.GOOS)
	opts = appendOption(opts, optIfTSResolution, "\x09") // 10^-9 s
	n := uint32(16 + len(opts) + 4 + 4)
	b = binary.LittleEndian.AppendUint32(b, blockInterface)
	b = binary.LittleEndian.AppendUint32(b, n)
	b = binary.LittleEndian.AppendUint16(b, intf.LinkType)
	b = binary.LittleEndian.AppendUint16(b, 0) // reserved
	b = binary.LittleEndian.AppendUint32(b, intf.SnapLength)
	b = appendOptions(b, opts)
	b = binary.LittleEndian.AppendUint32(b, n)

	if _, err := nw.w.Write(b); err != nil {
		return nil, err
	}
	return nw, nil
}

// appendOption appends an option with a non-empty value, padded to 4 bytes.
func appendOption(b []byte, code uint16, val string) []byte {
	if val == "" {
		return b
	}
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	return append(b, make([]byte, pad(len(val)))...)
}

// appendOptions appends opts and the end of options.
func appendOptions(b, opts []byte) []byte {
	b = append(b, opts...)
	return binary.LittleEndian.AppendUint32(b, optEndOfOptions)
}

func pad(n int) int { return (4 - n&3) & 3 }

// WritePacket writes data, captured from a frame of length bytes at t, as
// an Enhanced Packet Block on the interface.
func (w *NgWriter) WritePacket(t time.Time, data []byte, length int) error {
	n := uint32(28 + len(data) + pad(len(data)) + 4)
	ts := uint64(t.UnixNano())
	b := w.buf[:0]
	b = binary.LittleEndian.AppendUint32(b, blockEnhancedPacket)
	b = binary.LittleEndian.AppendUint32(b, n)
	b = binary.LittleEndian.AppendUint32(b, 0) // interface
	b = binary.LittleEndian.AppendUint32(b, uint32(ts>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(ts))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, uint32(length))
	if _, err := w.w.Write(b); err != nil {
		return err
	}
	if _, err := w.w.Write(data); err != nil {
		return err
	}
	b = append(b[:0], 0, 0, 0, 0)[:pad(len(data))]
	b = binary.LittleEndian.AppendUint32(b, n)
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

// Flush writes the buffered bytes to the underlying writer.
func (w *NgWriter) Flush() error { return w.w.Flush() }
