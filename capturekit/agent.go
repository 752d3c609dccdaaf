package capturekit

import (
	_ "embed"
	"encoding/json"
)

// agentJS is the compiled Frida agent (see ../agent; `npm run build`
// writes this file, CI checks it is current).
//
//go:embed agent.js
var agentJS string

//go:embed driver.py
var driverPy string

// AgentConfig is prepended to the agent as WXAUDIT_CONFIG.
type AgentConfig struct {
	// AppVersion selects offset profiles published for that version.
	AppVersion string `json:"appVersion,omitempty"`
	// Console also prints key lines (and hook reports as # comments) with
	// console.log, for `frida -l agent.js -o keys.log`.
	Console bool `json:"console"`
}

// Agent returns the agent's JavaScript with its configuration.
func Agent(cfg AgentConfig) string {
	b, _ := json.Marshal(cfg) // a struct of strings and bools always marshals
	return "var WXAUDIT_CONFIG = " + string(b) + ";\n" + agentJS
}

// HookSymbols lists the symbols and JNI methods the agent looks for, for
// documentation and tests (the agent's hook table is the source).
var HookSymbols = []string{
	"Java_com_tencent_mm_protocal_MMProtocalJni_aesEncrypt",
	"Java_com_tencent_mm_protocal_MMProtocalJni_aesDecrypt",
	"Java_com_tencent_mm_jni_utils_UtilsJni_AesGcmEncryptWithNonce",
	"Java_com_tencent_mm_jni_utils_UtilsJni_HKDF",
	"mmcrypto::AesGcmEncrypt",
	"mmcrypto::AesGcmDecrypt",
}
