package wireshark

import (
	"bytes"
	_ "embed"
)

//go:embed mmtls.lua
var lua []byte

// LuaFileName is the name under which the dissector script is documented
// and installed.
const LuaFileName = "mmtls.lua"

// Lua returns the dissector script, mmtls.lua: the mmtls protocol (records
// on Longlink and in Shortlink bodies) and the wechat protocol (the
// packets ExportWriter writes). The result is a copy.
func Lua() []byte { return bytes.Clone(lua) }
