package conn

// RaceEnabled tells the external tests whether the race detector runs, so
// that the largest loopback tests can scale down under it (it slows them
// about tenfold).
const RaceEnabled = raceEnabled
