package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// tailBytes is how much of a process's output is kept for error messages.
const tailBytes = 16 << 10

// proc is a process the harness started and stops.
type proc struct {
	name    string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	out     *tail
	stdout  countWriter // bytes the process wrote to stdout (its log volume)
	exited  chan struct{}
	waitErr error
}

// startProc starts cmd with its output kept in a tail and stdout counted.
func startProc(name string, cmd *exec.Cmd) (*proc, error) {
	p := &proc{name: name, cmd: cmd, out: &tail{}, exited: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.stdin = stdin
	p.stdout.w = p.out
	cmd.Stdout, cmd.Stderr = &p.stdout, p.out
	// If the harness dies (a signal, a closed pipe), its processes go too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// pid is the process's id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// stop asks the process to end (stdin closed, SIGTERM) and kills it if it
// has not within a few seconds.
func (p *proc) stop() {
	_ = p.stdin.Close()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// failure describes a process that did not come up, with its last output.
func (p *proc) failure(err error) error {
	return fmt.Errorf("%s: %w; its last output:\n%s", p.name, err, p.out.String())
}

// waitLine waits for an output line starting with prefix and returns the
// rest of it.
func (p *proc) waitLine(ctx context.Context, prefix string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		for line := range strings.Lines(p.out.String()) {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				return strings.TrimSpace(rest), nil
			}
		}
		if err := p.pause(ctx, deadline); err != nil {
			return "", p.failure(err)
		}
	}
}

// waitHTTP waits until url answers anything over HTTP.
func (p *proc) waitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := p.pause(ctx, deadline); err != nil {
			return p.failure(err)
		}
	}
}

// pause waits a moment, failing if the process exited, the deadline
// passed or ctx ended.
func (p *proc) pause(ctx context.Context, deadline time.Time) error {
	select {
	case <-p.exited:
		return fmt.Errorf("exited before it was ready (%v)", p.waitErr)
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(20 * time.Millisecond):
	}
	if time.Now().After(deadline) {
		return errors.New("not ready in time")
	}
	return nil
}

// tail keeps the last tailBytes written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - tailBytes; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// countWriter counts bytes on their way to w.
type countWriter struct {
	n atomic.Int64
	w io.Writer
}

func (c *countWriter) Write(b []byte) (int, error) {
	c.n.Add(int64(len(b)))
	return c.w.Write(b)
}
