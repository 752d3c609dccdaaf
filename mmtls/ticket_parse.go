package mmtls

// ParseSessionTicket reads one u32-length-prefixed session ticket from the
// start of b, as a NewSessionTicket and WeChat's stored psk.key hold it,
// and returns it with the number of bytes it took. The returned slices
// alias b.
func ParseSessionTicket(b []byte) (SessionTicket, int, error) {
	r := reader{b: b}
	t, err := readSessionTicket(&r)
	if err != nil {
		return SessionTicket{}, 0, err
	}
	return t, r.off, nil
}
