package analyze

import (
	"fmt"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/keylog"
)

// Inputs pairs input paths with their labels and permission states, in
// order (fewer labels or states than paths leave the rest to defaults).
// Capture inputs get the key logs, loaded once; a capture without a key log
// is an error, because its analysis would find nothing.
func Inputs(paths, labels, permissions, keylogs []string) ([]Input, error) {
	if len(labels) > len(paths) || len(permissions) > len(paths) {
		return nil, fmt.Errorf("analyze: more labels or permission states than inputs")
	}
	var keys *keylog.Log
	inputs := make([]Input, len(paths))
	for i, p := range paths {
		inputs[i].Path = p
		if i < len(labels) {
			inputs[i].Label = labels[i]
		}
		if i < len(permissions) {
			inputs[i].Permissions = permissions[i]
		}
		if !sniff.IsCapture(p) {
			continue
		}
		if len(keylogs) == 0 {
			return nil, sniff.Hinted(fmt.Errorf("analyze: %s is a capture: --keylog is required", p),
				"pass the key log exported during the capture: wxaudit analyze --keylog k.log "+p+" --out DIR")
		}
		if keys == nil {
			var err error
			if keys, err = keylog.Load(keylogs); err != nil {
				return nil, err
			}
		}
		inputs[i].Keys = keys
	}
	return inputs, nil
}

// OpenClassifier returns the classifier with the shipped rules, extended by
// a rules file and given the researcher's canaries file ("" for none).
func OpenClassifier(rulesFile, canariesFile string) (*classify.Classifier, error) {
	var opts classify.Options
	if rulesFile != "" {
		b, err := sniff.ReadFile(rulesFile, classify.MaxFileSize)
		if err != nil {
			return nil, err
		}
		extra, err := classify.ParseRules(b)
		if err != nil {
			return nil, sniff.Hinted(err, "see classify/rules.yaml for the format")
		}
		opts.Rules = append(classify.DefaultRules(), extra...)
	}
	if canariesFile != "" {
		b, err := sniff.ReadFile(canariesFile, classify.MaxFileSize)
		if err != nil {
			return nil, err
		}
		cs, err := classify.ParseCanaries(b)
		if err != nil {
			return nil, sniff.Hinted(err, "format: canaries: [{name: my-phone, type: phone_number, value: \"+1 555 0100\"}]")
		}
		opts.Canaries = cs
	}
	return classify.New(opts), nil
}
