//go:build race

package dkim_test

// raceEnabled: the race detector slows big-number arithmetic several
// times, so tests of 33-million-bit GCDs skip under it (the goroutines of
// KeyRecovery.Recover are covered by the small cases).
const raceEnabled = true
