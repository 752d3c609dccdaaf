// Package wireshark hands wxaudit's view of a capture to Wireshark: it
// ships the Lua dissector for MMTLS (mmtls.lua, embedded so `wxaudit
// wireshark lua` can print it for users of the binary alone).
package wireshark
