//go:build race

package lww

// raceEnabled is set under the race detector, which slows SQLite (compiled
// to Go) about tenfold: the reliability tests then trim their default
// sizes (the crash test keeps its kills).
const raceEnabled = true
