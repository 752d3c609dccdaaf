package runfolder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/wxaudit/wxaudit/internal/lazyre"
)

// FileName is the name of the description inside a run folder.
const FileName = "run.yaml"

// Version is the run.yaml version this package reads and writes.
const Version = 1

// MaxSize bounds run.yaml: it describes a run, it does not hold data.
const MaxSize = 64 << 10

// maxSteps bounds the steps list.
const maxSteps = 10000

// Permission states.
const (
	On      = "on"
	Off     = "off"
	Unknown = "unknown"
)

// Run is the content of run.yaml. Zero fields were absent.
type Run struct {
	Version int `yaml:"version"`
	// Label names the run; empty: the folder name.
	Label string `yaml:"label,omitempty"`
	// Permissions maps an Android permission (location, contacts, …) to
	// On, Off or Unknown.
	Permissions map[string]string `yaml:"permissions,omitempty"`
	Device      Device            `yaml:"device,omitempty"`
	App         App               `yaml:"app,omitempty"`
	// Category is the Mini Program's category (health, shopping, …).
	Category string `yaml:"category,omitempty"`
	// Capture names the capture file; empty: the single capture in the folder.
	Capture string `yaml:"capture,omitempty"`
	// Keylogs name the key-log files; empty: every key-log file in the folder.
	Keylogs []string  `yaml:"keylogs,omitempty"`
	Started time.Time `yaml:"started,omitempty"`
	Steps   []Step    `yaml:"steps,omitempty"`
}

// Device is the phone the run was captured on.
type Device struct {
	Model   string `yaml:"model,omitempty"`
	Android string `yaml:"android,omitempty"`
	ABI     string `yaml:"abi,omitempty"`
}

// App is the WeChat build the run was captured with.
type App struct {
	Package string `yaml:"package,omitempty"`
	Version string `yaml:"version,omitempty"`
}

// Step is one action the researcher performed, with when it began.
type Step struct {
	Name string    `yaml:"name"`
	Time time.Time `yaml:"time"`
}

// Error is a run.yaml that cannot be used.
type Error struct {
	Line int // 1-based when known
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("runfolder: %s line %d: %v", FileName, e.Line, e.Err)
	}
	return fmt.Sprintf("runfolder: %s: %v", FileName, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

var yamlLine = lazyre.New(`line (\d+)`)

// Parse reads run.yaml from r. It fails on a file larger than MaxSize, a
// version other than Version, unknown fields, permission values other
// than on/off/unknown, and file names that leave the folder.
func Parse(r io.Reader) (*Run, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, &Error{Err: err}
	}
	if len(b) > MaxSize {
		return nil, &Error{Err: fmt.Errorf("larger than %d bytes", MaxSize)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var run Run
	if err := dec.Decode(&run); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Err: errors.New("empty file")}
		}
		e := &Error{Err: errors.New(strings.TrimPrefix(err.Error(), "yaml: "))}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			fmt.Sscan(m[1], &e.Line)
		}
		return nil, e
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{Err: errors.New("more than one YAML document")}
	}
	if err := run.Validate(); err != nil {
		return nil, err
	}
	return &run, nil
}

// Validate checks what Parse checks beyond the YAML syntax; Marshal calls
// it too, so a writer cannot produce a file readers reject.
func (r *Run) Validate() error {
	bad := func(format string, args ...any) error { return &Error{Err: fmt.Errorf(format, args...)} }
	if r.Version != Version {
		if r.Version == 0 {
			return bad("version is missing (want %d)", Version)
		}
		return bad("unsupported version %d (want %d)", r.Version, Version)
	}
	for k, v := range r.Permissions {
		if k == "" {
			return bad("empty permission name")
		}
		switch v {
		case On, Off, Unknown:
		default:
			return bad("permission %q: value %q is not on, off or unknown", k, v)
		}
	}
	if r.Capture != "" && !plainName(r.Capture) {
		return bad("capture %q is not a file name inside the folder", r.Capture)
	}
	for _, k := range r.Keylogs {
		if !plainName(k) {
			return bad("keylog %q is not a file name inside the folder", k)
		}
	}
	if len(r.Steps) > maxSteps {
		return bad("%d steps (at most %d)", len(r.Steps), maxSteps)
	}
	for i, s := range r.Steps {
		if s.Name == "" {
			return bad("step %d has no name", i+1)
		}
	}
	if strings.ContainsAny(r.Label, "\x00\n\r") {
		return bad("label %q has control characters", r.Label)
	}
	return nil
}

// plainName reports whether s names a file directly inside the folder.
func plainName(s string) bool {
	return s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00")
}

// Marshal returns run.yaml for r, after Validate.
func Marshal(r *Run) ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	b, err := yaml.Marshal(r)
	if err != nil {
		return nil, &Error{Err: err}
	}
	if len(b) > MaxSize {
		return nil, &Error{Err: fmt.Errorf("larger than %d bytes", MaxSize)}
	}
	return b, nil
}

// Permission returns the state of one permission: On, Off or Unknown.
func (r *Run) Permission(name string) string {
	if v, ok := r.Permissions[name]; ok {
		return v
	}
	return Unknown
}

// PermissionNames returns the permission names, sorted.
func (r *Run) PermissionNames() []string {
	out := make([]string, 0, len(r.Permissions))
	for k := range r.Permissions {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
