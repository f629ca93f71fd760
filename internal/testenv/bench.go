package testenv

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
)

// CPUSeconds returns the CPU time, user plus system, that this process has
// used (every goroutine, the garbage collector included), read from
// /proc/self/stat in USER_HZ ticks (100 a second on Linux), and false where
// that file does not exist. Benchmarks report CPU time beside wall time
// because the machine is shared: another process's load stretches ns/op, not
// the CPU time this process spends.
func CPUSeconds() (float64, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold spaces
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseUint(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return float64(utime+stime) / 100, true
}

// BenchLoop runs body in a b.Loop and reports, beside ns/op, the CPU time per
// op (cpu-ns/op) and, when bytesPerOp > 0, megabytes per CPU second
// (MB/cpu-s).
func BenchLoop(b *testing.B, bytesPerOp int64, body func()) {
	start, ok := CPUSeconds()
	for b.Loop() {
		body()
	}
	end, _ := CPUSeconds()
	if !ok || end <= start {
		return
	}
	b.ReportMetric((end-start)*1e9/float64(b.N), "cpu-ns/op")
	if bytesPerOp > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/(end-start)/1e6, "MB/cpu-s")
	}
}
