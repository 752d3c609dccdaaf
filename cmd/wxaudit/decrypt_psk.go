package main

import (
	"flag"

	"github.com/wxaudit/wxaudit/keylog"
)

// pskFlags are decrypt's flags for WeChat's stored psk.key.
type pskFlags struct {
	files stringList
	model string
}

func addPSKFlags(fs *flag.FlagSet) *pskFlags {
	p := &pskFlags{}
	fs.Var(&p.files, "psk-key", "WeChat's stored psk.key `file` (from /data/data/com.tencent.mm/); its ticket opens 0-RTT Shortlinks presenting it; repeatable")
	fs.StringVar(&p.model, "device-model", "", "the phone's \"manufacturer-model\" (getprop ro.product.manufacturer, ro.product.model), which psk.key's key derives from, e.g. Google-sdk_gphone64_arm64")
	return p
}

// load reads and decrypts the psk.key files.
func (p *pskFlags) load() ([]keylog.StoredPSK, error) {
	if len(p.files) == 0 {
		if p.model != "" {
			return nil, &usageError{msg: "--device-model needs --psk-key", hint: "wxaudit decrypt --psk-key psk.key --device-model Google-sdk_gphone64_arm64 capture.pcap"}
		}
		return nil, nil
	}
	if p.model == "" {
		return nil, &usageError{msg: "--psk-key needs --device-model", hint: "the key of psk.key derives from the phone's manufacturer-model, e.g. --device-model Google-sdk_gphone64_arm64"}
	}
	return keylog.LoadPSKFiles(p.files, p.model)
}
