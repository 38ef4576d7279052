//go:build !race

package ask

const raceEnabled = false
