package capture

import "fmt"

// Limits on what one capture may make the reader hold: lengths come from
// the file, so without them a hostile or corrupt file could make it
// allocate a whole 4 GiB record or keep millions of interface
// descriptions. A corrupt pcapng block is an error rather than a misparse
// that reads as a truncated file.
const (
	// MaxRecordSize bounds one pcap record and one pcapng block. tcpdump
	// and Wireshark cap snapshots at 256 KiB; 16 MiB leaves room for large
	// pcapng metadata blocks (decryption secrets, name resolution).
	MaxRecordSize = 16 << 20
	// MaxInterfaces bounds the pcapng Interface Description Blocks of a
	// file (a phone has a few dozen interfaces).
	MaxInterfaces = 4096
)

// CorruptError is a pcapng block whose framing or fixed fields are
// invalid (see pcapngState.block): the reader
// stops there (everything before it was read) instead of misreading what
// follows.
type CorruptError struct {
	Offset int64 // of the block in the (inflated) file
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt pcapng block at byte %d: %s", e.Offset, e.Reason)
}
