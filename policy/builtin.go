// This file ships the built-in models (models/*.yaml, embedded) and picks
// which policy applies to an account.

package policy

import (
	"embed"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
)

//go:embed models/*.yaml
var modelFS embed.FS

// Built-in model names.
const (
	WeChat = "wechat" // WeChat Privacy Policy: accounts registered outside mainland China
	Weixin = "weixin" // Weixin Privacy Protection Guidelines: +86 accounts
)

var builtins = sync.OnceValue(func() map[string]*Model {
	out := map[string]*Model{}
	ents, _ := modelFS.ReadDir("models")
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".yaml")
		f, err := modelFS.Open(path.Join("models", e.Name()))
		if err != nil {
			panic("policy: internal error: " + err.Error())
		}
		m, err := LoadModel(f, e.Name())
		f.Close()
		if err != nil {
			panic("policy: internal error: built-in model: " + err.Error())
		}
		if m.Name != name {
			panic("policy: internal error: built-in model " + e.Name() + " is named " + m.Name)
		}
		out[name] = m
	}
	return out
})

// BuiltinNames lists the built-in models, sorted.
func BuiltinNames() []string {
	var names []string
	for n := range builtins() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Builtin returns a built-in model by name ("wechat", "weixin"). The model
// is shared: callers must not modify it.
func Builtin(name string) (*Model, error) {
	if m, ok := builtins()[name]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("policy: no built-in model %q (have %s)", name, strings.Join(BuiltinNames(), ", "))
}

// BuiltinSource returns the YAML of a built-in model, to start a custom one
// from.
func BuiltinSource(name string) ([]byte, error) {
	if _, err := Builtin(name); err != nil {
		return nil, err
	}
	return modelFS.ReadFile("models/" + name + ".yaml")
}

// Open returns the built-in model called nameOrFile, or else loads the YAML
// file at that path. Its errors carry a hint (a Hint method): the built-in
// names, or where the format is described.
func Open(nameOrFile string) (*Model, error) {
	if m, err := Builtin(nameOrFile); err == nil {
		return m, nil
	}
	names := "built-in models: " + strings.Join(BuiltinNames(), ", ")
	f, err := os.Open(nameOrFile)
	if err != nil {
		if os.IsNotExist(err) && !strings.ContainsAny(nameOrFile, "/.") {
			return nil, &openError{fmt.Errorf("policy: %q is neither a built-in model (%s) nor a file", nameOrFile, strings.Join(BuiltinNames(), ", ")), names}
		}
		return nil, &openError{fmt.Errorf("policy: %w", err), names + "; or give a YAML file"}
	}
	defer f.Close()
	m, err := LoadModel(f, nameOrFile)
	if err != nil {
		return nil, &openError{err, "the model format is described by 'wxaudit policy schema'"}
	}
	return m, nil
}

// openError is an error of Open with the hint a user needs to fix it.
type openError struct {
	err  error
	hint string
}

func (e *openError) Error() string { return e.err.Error() }
func (e *openError) Unwrap() error { return e.err }
func (e *openError) Hint() string  { return e.hint }

// Applicable returns the name of the built-in policy that applies to an
// account registered with the calling code cc ("86", "+86", "44"): the
// Weixin guidelines for +86, the WeChat policy otherwise. It is the
// question the app answers in Me > Settings > About > terms of service; a
// user contracted with Shenzhen Tencent is under Weixin whatever the code.
func Applicable(cc string) string {
	for _, n := range BuiltinNames() {
		m := builtins()[n]
		if slices.Contains(m.AppliesTo.PhoneCountryCodes, strings.TrimPrefix(strings.TrimSpace(cc), "+")) {
			return n
		}
	}
	for _, n := range BuiltinNames() {
		if builtins()[n].AppliesToCountry(cc) {
			return n
		}
	}
	return WeChat
}
