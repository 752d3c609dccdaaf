//go:build race

package testkit

// Race is true when the race detector is on: its instrumentation
// allocates, so tests that count allocations skip.
const Race = true
