package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

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
	var out []keylog.StoredPSK
	for _, path := range p.files {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("psk key: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(f, keylog.MaxPSKFileSize+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("psk key: %w", err)
		}
		s, err := keylog.ParsePSKFile(b, p.model)
		if errors.Is(err, keylog.ErrPSKFileKey) {
			return nil, withHint(fmt.Errorf("%s: %w", path, err), "check --device-model: it is \"manufacturer-model\" exactly as the phone reports them")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, *s)
	}
	return out, nil
}
