//go:build linux

package main

import (
	"runtime"
	"syscall"
	"time"
)

// prSetTimerslack is prctl(2)'s PR_SET_TIMERSLACK.
const prSetTimerslack = 29

// waitTimer fires once on C after its duration (the part of time.Timer that wait uses).
type waitTimer struct {
	C    <-chan time.Time
	stop func() bool
}

// Stop is time.Timer's Stop; a sub-millisecond wait cannot be cut short and reports false.
func (t *waitTimer) Stop() bool { return t.stop() }

// preciseTimer is time.NewTimer for EXTRA_WAIT_US, exact below a millisecond too. The runtime's timers
// are not: with nothing else to run, Go sleeps in the netpoller, whose epoll wait counts whole
// milliseconds, so a 20 µs time.Timer took ~1.1 ms (bench:ab, `ab --candidate-env EXTRA_WAIT_US=20`:
// p50 +0.99 ms at 500 req/s) and a "+10 %" latency regression could not be injected at all. Below a
// millisecond the request's own thread sleeps in nanosleep(2) before this returns (the timer comes
// back fired), its timer slack lowered from the default 50 µs to 1 ns. Sleeping burns no CPU, but the
// thread keeps the runtime's P until sysmon takes it back: under closed-loop load a sub-millisecond
// wait costs more throughput than a parked goroutine would. A wait this short is never cut short by
// the client going away.
func preciseTimer(d time.Duration) *waitTimer {
	if d >= time.Millisecond {
		t := time.NewTimer(d)
		return &waitTimer{C: t.C, stop: t.Stop}
	}
	// The slack is per thread: lock so that the prctl and the nanosleep run on the same one.
	runtime.LockOSThread()
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0)
	ts := syscall.NsecToTimespec(d.Nanoseconds())
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
	runtime.UnlockOSThread()
	c := make(chan time.Time, 1)
	c <- time.Now()
	return &waitTimer{C: c, stop: func() bool { return false }}
}
