// Package wireshark hands wxaudit's view of a capture to Wireshark: it
// ships the Lua dissectors for MMTLS and the WeChat business layer
// (mmtls.lua, embedded so `wxaudit wireshark lua` can print it for users
// of the binary alone), and writes decrypted payloads as a pcapng capture
// Wireshark opens natively (ExportWriter, the decrypt.Sink behind
// `wxaudit decrypt --pcapng`; the packet layout is in pdu.go).
//
// See doc/wireshark.md for what a user runs and how Wireshark is set up.
package wireshark
