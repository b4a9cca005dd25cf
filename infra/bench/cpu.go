package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on
// every Linux this runs on).
const clockTick = 10 * time.Millisecond

// processCPU sums the user and system CPU time pids have used so far.
func processCPU(pids []int) (time.Duration, error) {
	var total time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, fmt.Errorf("read CPU time of %d: %w", pid, err)
		}
		// Fields after the command name (in parentheses, may hold spaces):
		// state is field 3, utime 14 and stime 15 of the whole line.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			return 0, fmt.Errorf("read CPU time of %d: malformed stat", pid)
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 13 {
			return 0, fmt.Errorf("read CPU time of %d: malformed stat", pid)
		}
		for _, x := range f[11:13] {
			ticks, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read CPU time of %d: %w", pid, err)
			}
			total += time.Duration(ticks) * clockTick
		}
	}
	return total, nil
}

// machineCPU reads the machine's busy and total CPU time so far from
// /proc/stat (idle and iowait count as not busy), in clock ticks.
func machineCPU() (busy, total int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, fmt.Errorf("read machine CPU: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("read machine CPU: malformed /proc/stat")
	}
	for i, x := range f[1:] {
		v, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("read machine CPU: %w", err)
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total, nil
}

// busyShare is the share of the machine's CPU time that was busy between
// two machineCPU readings.
func busyShare(b0, t0, b1, t1 int64) float64 {
	if t1 <= t0 {
		return 0
	}
	return float64(b1-b0) / float64(t1-t0)
}
