// Package capturekit is the host side of `wxaudit capture`: it checks the
// phone (adb, root, architecture, WeChat version, frida-server, tcpdump),
// records the phone's traffic with `tcpdump -i any -U -w -` over `adb
// exec-out`, spawns WeChat with wxaudit's Frida agent in every app process
// (a Python driver using frida-tools' own module, run as a subprocess, so
// the wxaudit binary stays pure Go), writes the agent's keys to a secrets
// key log (v2), stamps the researcher's steps, decodes live on the
// terminal, and writes run.yaml (package runfolder).
//
// The agent (agent.js, built from ../agent/src by tsc and committed) is
// embedded, and so is driver.py, which a capture writes into the run folder
// and runs from there. Nothing here has run against a real phone: the tests
// replay a synthetic capture and key log through stand-in adb and python3
// commands, run driver.py against a fake frida module (TestDriverPy), and
// decrypt synth's capture with the key logs the agent writes on a simulated
// device (TestSimulatedDevice; agent/test/device.test.js). doc/capture.md
// is the step by step for a phone or an emulator.
package capturekit
