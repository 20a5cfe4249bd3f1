//go:build !race

package lww

// raceEnabled: see reliability_race_test.go.
const raceEnabled = false
