package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Memory is a target's resident memory, summed over its processes, as the
// kernel reports it in /proc/<pid>/status: VmRSS now and VmHWM (the peak
// since the process started).
type Memory struct {
	RSS, Peak int64 // bytes
	Processes int
}

// readMemory sums VmRSS and VmHWM over pids.
func readMemory(pids []int) (Memory, error) {
	var m Memory
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return m, fmt.Errorf("read memory of %d: %w", pid, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			name, rest, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			switch name {
			case "VmRSS":
				m.RSS += kib(rest)
			case "VmHWM":
				m.Peak += kib(rest)
			}
		}
		m.Processes++
	}
	return m, nil
}

// kib parses "   1234 kB" into bytes.
func kib(s string) int64 {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(f[0], 10, 64)
	return n * 1024
}

// withChildren returns pid and its direct children (nginx's workers).
func withChildren(pid int) []int {
	out := []int{pid}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses and may
		// hold spaces: state, ppid, …
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == pid {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			out = append(out, child)
		}
	}
	return out
}
