// Package link classifies a reassembled TCP connection by what it carries
// and frames its byte streams: Shortlink (HTTP/1.1 POST /mmtls/… whose body
// is MMTLS records), Longlink (MMTLS records on raw TCP, any port) and plain
// HTTP without MMTLS (e.g. GET /cgi-bin/micromsg-bin/newgetdns). See
// doc/protocol.md, section 1: the port does not tell the link type, so only the
// first bytes of the client's stream do.
//
// Framer is the entry point: it is fed one direction's in-order bytes and
// yields Units (an HTTP head, a span of MMTLS record bytes, or skipped
// bytes). Its buffer holds at most one incomplete HTTP head
// (maxHeadLen) or one incomplete record (maxRecordLen), so memory per
// direction is bounded whatever the stream length.
package link
