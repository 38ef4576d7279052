//go:build race

package ask

// raceEnabled: under the race detector training is ~10× slower, so the
// measurements that train many models (cross-validation, calibration) are
// left to the plain `go test` run the README gives.
const raceEnabled = true
