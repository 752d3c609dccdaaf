package main

import (
	"fmt"

	"github.com/wxaudit/wxaudit/wireshark"
)

func runWireshark(e *env) error {
	fs := newFlags(e, "wireshark", "lua > "+wireshark.LuaFileName+"\n\n"+
		"  lua   print the Lua dissector (MMTLS records, and the payloads of\n"+
		"        'wxaudit decrypt --pcapng'); load it with\n"+
		"        wireshark -X lua_script:"+wireshark.LuaFileName+" capture.pcapng\n"+
		"        or copy it into Wireshark's personal Lua plugins folder")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 || args[0] != "lua" {
		return &usageError{msg: "wireshark needs one subcommand: lua", hint: "wxaudit wireshark lua > " + wireshark.LuaFileName}
	}
	if _, err := e.stdout.Write(wireshark.Lua()); err != nil {
		return fmt.Errorf("writing the dissector: %w", err)
	}
	return nil
}
