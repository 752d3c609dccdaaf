package capturekit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/runfolder"
)

// Options configure a capture.
type Options struct {
	Out         string // run folder, created; must not hold a run.yaml yet
	Label       string
	Permissions map[string]string // on, off or unknown
	Category    string
	Serial      string
	Tools       Tools
	// Steps is read line by line: each line names the step the researcher
	// starts now; "stop" (or "q") ends the capture. Its end does not.
	Steps io.Reader
	// Terminal gets the prompts, the live view and the summary.
	Terminal io.Writer
	// Now defaults to time.Now.
	Now func() time.Time
	// PollInterval and Grace tune live decoding (decrypt.LiveOptions).
	PollInterval, Grace time.Duration
}

// DefaultGrace is how long keys are awaited after tcpdump ends: the
// agent's messages travel through Frida, the packets through adb.
const DefaultGrace = 3 * time.Second

// HookReport says what one hook did: a hook is trusted only once a key it
// logged opened a captured record.
type HookReport struct {
	Hook          string   `json:"hook"`   // id@method, as in the key log
	Module        string   `json:"module"` // library it was found in
	Offset        string   `json:"offset"`
	Processes     []string `json:"processes"`
	KeyLines      int      `json:"key_lines"`
	RecordsOpened int      `json:"records_opened"`
	Trusted       bool     `json:"trusted"`
}

// Result is what a capture produced.
type Result struct {
	Run   *runfolder.Run
	Hooks []HookReport
	Stats *decrypt.Stats
	// AgentErrors counts error reports from the agent and the driver.
	AgentErrors int
}

// Capture checks the phone, then records until the researcher stops, the
// context ends or tcpdump exits. Its steps, in order: prepare the run
// folder (driver.py), check the device, write the agent and open the
// output files, start tcpdump, start the Frida driver, decode live, read
// the researcher's steps, wait for the end, stop the tools, write run.yaml
// and hooks.json.
func Capture(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	if err := prepareRunFolder(o.Out); err != nil {
		return nil, err
	}
	o.Tools.Driver = filepath.Join(o.Out, FileDriver)
	d, err := Check(ctx, o.Tools, o.Serial)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Terminal, "device %s: %s %s, Android %s, %s; WeChat %s; frida %s\n", d.Serial, d.Manufacturer, d.Model, d.Android, d.ABI, d.WeChat, d.FridaHost)
	c, err := openRun(o, d)
	if err != nil {
		return nil, err
	}
	defer c.close()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	if err := c.startTcpdump(); err != nil {
		return nil, err
	}
	if err := c.startDriver(stop); err != nil {
		return nil, err
	}
	c.decodeLive(stop)
	go c.readSteps(stop)
	<-runCtx.Done()
	c.stopTools()
	return c.finish()
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	return o
}

// prepareRunFolder refuses a folder that holds a run, creates it and
// writes the Frida driver into it (the checks run it).
func prepareRunFolder(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, runfolder.FileName)); err == nil {
		return fail("output", "choose a new folder for each run", "%s already holds a run", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil { // the run folder: capture and keys
		return err
	}
	return os.WriteFile(filepath.Join(dir, FileDriver), []byte(driverPy), 0o644)
}

// WriteKit writes the files the plan's commands read into dir: driver.py
// and agent.js (configured for appVersion, "" when unknown).
func WriteKit(dir, appVersion string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, FileDriver), []byte(driverPy), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, FileAgent), []byte(Agent(AgentConfig{AppVersion: appVersion})), 0o644)
}

// capture is one recording in progress: the tools it started and what
// they produced. Set once by openRun: o, d, keys, capFile, started.
type capture struct {
	o       Options
	d       *Device
	keys    *keyFile
	capFile *os.File
	started time.Time

	tcp    *exec.Cmd
	tcpOut io.Reader

	drv     *exec.Cmd
	drvIn   io.WriteCloser
	drvDone chan struct{}
	msgs    *messages

	decDone chan decoded
	dec     decoded

	stepsMu sync.Mutex
	steps   []runfolder.Step
}

type decoded struct {
	st  *decrypt.Stats
	err error
}

// openRun writes the agent configured for the device and opens the key
// log and the capture file.
func openRun(o Options, d *Device) (*capture, error) {
	if err := os.WriteFile(filepath.Join(o.Out, FileAgent), []byte(Agent(AgentConfig{AppVersion: d.WeChat})), 0o644); err != nil {
		return nil, err
	}
	keys, err := newKeyFile(filepath.Join(o.Out, FileKeys))
	if err != nil {
		return nil, err
	}
	// O_EXCL: a capture left in the folder is a recording, not ours to
	// replace; owner-only: it holds the traffic, keys decrypt it.
	capFile, err := os.OpenFile(filepath.Join(o.Out, FileCapture), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		keys.close()
		return nil, err
	}
	return &capture{o: o, d: d, keys: keys, capFile: capFile, started: o.Now().UTC()}, nil
}

func (c *capture) close() {
	if c.tcp != nil && c.tcp.Process != nil && c.tcp.ProcessState == nil {
		c.tcp.Process.Kill() // the adb process this capture started
		c.tcp.Wait()
	}
	c.capFile.Close()
	c.keys.close()
}

// startTcpdump starts tcpdump on the phone, through adb exec-out.
func (c *capture) startTcpdump() error {
	c.tcp = exec.Command(c.o.Tools.adb(), c.d.adbArgs("exec-out", c.d.shell(tcpdumpCommand))...)
	out, err := c.tcp.StdoutPipe()
	if err != nil {
		return err
	}
	c.tcpOut = out
	if err := c.tcp.Start(); err != nil {
		return fail("tcpdump", "", "starting adb exec-out tcpdump: %v", err)
	}
	return nil
}

// startDriver starts driver.py from the run folder; its messages go to
// the key log and the terminal, and a fatal one calls stop.
func (c *capture) startDriver(stop func()) error {
	c.drv = exec.Command(c.o.Tools.python(), driverArgs(c.o.Tools.Driver, c.d.Serial, filepath.Join(c.o.Out, FileAgent))...)
	in, err := c.drv.StdinPipe()
	if err != nil {
		return err
	}
	c.drvIn = in
	out, err := c.drv.StdoutPipe()
	if err != nil {
		return err
	}
	c.drv.Stderr = c.o.Terminal
	if err := c.drv.Start(); err != nil {
		return fail("frida", "", "starting the Frida driver: %v", err)
	}
	c.msgs = &messages{keys: c.keys, term: c.o.Terminal, hooks: map[string]*HookReport{}}
	c.drvDone = make(chan struct{})
	go func() {
		defer close(c.drvDone)
		c.msgs.read(out, stop)
	}()
	return nil
}

// decodeLive decodes the stream as it arrives, teed into the capture
// file, following the key log; tcpdump's end calls stop.
func (c *capture) decodeLive(stop func()) {
	fl := keylog.NewFollower([]string{c.keys.path})
	c.decDone = make(chan decoded, 1)
	go func() {
		defer fl.Close()
		var mu sync.Mutex
		st, err := decrypt.Run(context.Background(), io.TeeReader(c.tcpOut, c.capFile), decrypt.Options{
			Keys: fl.Log(), CaptureName: FileCapture,
			Live: &decrypt.LiveOptions{Poll: fl.Poll, PollInterval: c.o.PollInterval, Grace: c.o.Grace},
		}, func(p *payload.Payload) error {
			if s := decrypt.LiveLine(p); s != "" {
				mu.Lock()
				fmt.Fprintln(c.o.Terminal, s)
				mu.Unlock()
			}
			return nil
		})
		c.decDone <- decoded{st, err}
		stop() // tcpdump ended
	}()
}

// readSteps stamps each line the researcher types as a step; "stop"
// calls stop.
func (c *capture) readSteps(stop func()) {
	fmt.Fprintln(c.o.Terminal, "type what you do next and press Enter to stamp it; 'stop' ends the capture")
	sc := bufio.NewScanner(c.o.Steps)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch line {
		case "":
			continue
		case "stop", "q", "quit":
			stop()
			return
		}
		c.stepsMu.Lock()
		c.steps = append(c.steps, runfolder.Step{Name: line, Time: c.o.Now().UTC()})
		c.stepsMu.Unlock()
		fmt.Fprintf(c.o.Terminal, "step %q at %s\n", line, c.o.Now().UTC().Format(time.RFC3339))
	}
}

// stopTools ends tcpdump, waits for the live decoder to drain, then
// closes the driver's stdin and waits for it (killing it after 5s).
func (c *capture) stopTools() {
	if c.tcp.ProcessState == nil {
		c.tcp.Process.Kill() // the adb process this capture started
	}
	c.tcp.Wait()
	c.dec = <-c.decDone
	c.drvIn.Close()
	select {
	case <-c.drvDone:
	case <-time.After(5 * time.Second):
		c.drv.Process.Kill()
		<-c.drvDone
	}
	c.drv.Wait()
}

// finish writes run.yaml and hooks.json and returns the result.
func (c *capture) finish() (*Result, error) {
	o, d := c.o, c.d
	c.stepsMu.Lock()
	run := &runfolder.Run{
		Version:     runfolder.Version,
		Label:       o.Label,
		Permissions: o.Permissions,
		Device:      runfolder.Device{Model: strings.TrimSpace(d.Manufacturer + " " + d.Model), Android: d.Android, ABI: d.ABI},
		App:         runfolder.App{Package: WeChatPackage, Version: d.WeChat},
		Category:    o.Category,
		Capture:     FileCapture,
		Keylogs:     []string{FileKeys},
		Started:     c.started,
		Steps:       append([]runfolder.Step(nil), c.steps...),
	}
	c.stepsMu.Unlock()
	b, err := runfolder.Marshal(run)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.Out, runfolder.FileName), b, 0o644); err != nil {
		return nil, err
	}
	res := &Result{Run: run, Stats: c.dec.st, AgentErrors: c.msgs.errors}
	res.Hooks = c.msgs.report(c.dec.st)
	if c.msgs.fatal != "" {
		return res, fail("frida", "is frida-server running as root, of the same major version as frida-tools? 'frida-ps -U' must list the phone's processes", "%s (the capture and run.yaml were kept in %s)", c.msgs.fatal, o.Out)
	}
	hb, _ := json.MarshalIndent(res.Hooks, "", "  ")
	if err := os.WriteFile(filepath.Join(o.Out, FileHooks), append(hb, '\n'), 0o644); err != nil {
		return nil, err
	}
	if c.dec.err != nil && !errors.Is(c.dec.err, io.ErrUnexpectedEOF) {
		return res, fmt.Errorf("capture: decoding the stream: %w", c.dec.err)
	}
	return res, nil
}

// keyFile is the secrets key log the agent's lines go to.
type keyFile struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

func newKeyFile(path string) (*keyFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(keylog.SecretsHeaderV2 + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return &keyFile{f: f, path: path}, nil
}

func (k *keyFile) write(line string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, err := k.f.WriteString(line + "\n")
	return err
}

func (k *keyFile) close() { k.f.Close() }

// messages reads the driver's JSON lines.
type messages struct {
	keys   *keyFile
	term   io.Writer
	mu     sync.Mutex
	hooks  map[string]*HookReport
	lines  map[string]int
	errors int
	bad    int
	fatal  string // the driver's fatal error, if any
}

type driverEvent struct {
	Event   string `json:"event"`
	PID     int    `json:"pid"`
	Process string `json:"process"`
	Error   string `json:"error"`
	Message struct {
		Type        string          `json:"type"` // send or error
		Payload     json.RawMessage `json:"payload"`
		Description string          `json:"description"`
	} `json:"message"`
}

type agentMessage struct {
	Type    string `json:"type"`
	Line    string `json:"line"`
	ID      string `json:"id"`
	Method  string `json:"method"`
	Module  string `json:"module"`
	Offset  string `json:"offset"`
	Process string `json:"process"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// maxDriverLine bounds one line from the driver.
const maxDriverLine = 1 << 20

func (m *messages) read(r io.Reader, fatal func()) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxDriverLine)
	for sc.Scan() {
		var ev driverEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			m.bad++
			continue
		}
		switch ev.Event {
		case "fatal":
			m.mu.Lock()
			m.fatal = ev.Error
			m.mu.Unlock()
			m.errors++
			fatal()
		case "error":
			fmt.Fprintf(m.term, "wxaudit: warning: frida: %s: %s\n", ev.Process, ev.Error)
			m.errors++
		case "instrumented":
			fmt.Fprintf(m.term, "agent loaded in %s (pid %d)\n", ev.Process, ev.PID)
		case "detached":
			fmt.Fprintf(m.term, "agent detached from %s (pid %d)\n", ev.Process, ev.PID)
		case "message":
			m.message(ev)
		}
	}
	io.Copy(io.Discard, r)
}

func (m *messages) message(ev driverEvent) {
	if ev.Message.Type == "error" {
		fmt.Fprintf(m.term, "wxaudit: warning: agent in %s: %s\n", ev.Process, ev.Message.Description)
		m.errors++
		return
	}
	var am agentMessage
	if json.Unmarshal(ev.Message.Payload, &am) != nil {
		m.bad++
		return
	}
	switch am.Type {
	case "key":
		// Only lines the Go parser accepts reach the key log; the key
		// material is never printed.
		e, err := keylog.ParseLineV2([]byte(am.Line))
		if err != nil || e.Kind == keylog.KindNone || strings.ContainsAny(am.Line, "\r\n") {
			m.bad++
			return
		}
		if err := m.keys.write(am.Line); err != nil {
			m.errors++
			return
		}
		if e.Meta != nil {
			m.mu.Lock()
			if m.lines == nil {
				m.lines = map[string]int{}
			}
			m.lines[e.Meta.Hook]++
			m.mu.Unlock()
		}
	case "hook":
		key := am.ID + "@" + am.Method
		m.mu.Lock()
		h := m.hooks[key]
		if h == nil {
			h = &HookReport{Hook: key, Module: am.Module, Offset: am.Offset}
			m.hooks[key] = h
		}
		if !contains(h.Processes, ev.Process) {
			h.Processes = append(h.Processes, ev.Process)
		}
		m.mu.Unlock()
		fmt.Fprintf(m.term, "hook %s in %s+%s (%s)\n", key, am.Module, am.Offset, ev.Process)
	case "error":
		m.errors++
		fmt.Fprintf(m.term, "wxaudit: warning: agent in %s: %s: %s\n", ev.Process, am.ID, am.Error)
	case "warning":
		fmt.Fprintf(m.term, "wxaudit: warning: agent in %s: %s\n", ev.Process, am.Message)
	}
}

// report joins the hooks with the records their keys opened.
func (m *messages) report(st *decrypt.Stats) []HookReport {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []HookReport
	for k, h := range m.hooks {
		r := *h
		r.KeyLines = m.lines[k]
		if st != nil {
			r.RecordsOpened = st.Hooks[k]
		}
		r.Trusted = r.RecordsOpened > 0
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hook < out[j].Hook })
	return out
}

// WriteSummary writes what a capture recorded into dir: steps, payloads
// decoded live, and each hook's verdict (trusted only when a captured record
// opened with its keys).
func (r *Result) WriteSummary(w io.Writer, dir string) {
	fmt.Fprintf(w, "wrote %s: %d steps, %d payloads decoded live (%s)\n", dir, len(r.Run.Steps), r.Stats.Payloads, r.Stats.Summary())
	for _, h := range r.Hooks {
		verdict := "not confirmed: no captured record opened with its keys"
		if h.Trusted {
			verdict = "trusted"
		}
		fmt.Fprintf(w, "hook %-40s %4d key lines, %5d records opened: %s\n", h.Hook, h.KeyLines, h.RecordsOpened, verdict)
	}
}
