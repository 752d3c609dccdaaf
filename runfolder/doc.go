// Package runfolder defines run.yaml, the description a run folder carries
// beside its capture and key logs: label, permission states, device, app,
// Mini Program category, which files to use, and the steps performed with
// their times. `wxaudit capture` writes it (Marshal); `wxaudit corpus`
// reads it (Parse).
//
// # Format (version 1)
//
//	version: 1
//	label: mp-location-on                 # optional; default: folder name
//	permissions: {location: on, contacts: off}   # values on|off|unknown
//	device: {model: "Google Pixel 7", android: "14", abi: arm64-v8a}
//	app: {package: com.tencent.mm, version: "8.0.56"}
//	category: health                      # optional Mini Program category
//	capture: capture.pcapng               # optional; default: the single capture in the folder
//	keylogs: [keys.log]                   # optional; default: every key-log file in the folder
//	started: 2026-12-02T10:00:00Z
//	steps:
//	  - {name: "open the Mini Program", time: 2026-12-02T10:01:02Z}
//
// Unknown fields are errors, so a typo is never silently ignored; the
// file is at most MaxSize bytes. File names are plain names inside the
// folder (no separators, no "..").
package runfolder
