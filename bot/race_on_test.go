//go:build race

package bot

// raceEnabled: the race detector slows everything several times over.
const raceEnabled = true
