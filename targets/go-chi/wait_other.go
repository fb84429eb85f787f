//go:build !linux

package main

import "time"

// waitTimer fires once on C after its duration (the part of time.Timer that wait uses).
type waitTimer struct {
	C    <-chan time.Time
	stop func() bool
}

// Stop is time.Timer's Stop.
func (t *waitTimer) Stop() bool { return t.stop() }

// preciseTimer is time.NewTimer elsewhere than Linux (see wait_linux.go for why Linux differs).
func preciseTimer(d time.Duration) *waitTimer {
	t := time.NewTimer(d)
	return &waitTimer{C: t.C, stop: t.Stop}
}
