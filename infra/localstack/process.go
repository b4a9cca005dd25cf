package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// process is a child server whose whole process group is killed on stop, so
// a test run or `make run` never leaves a stray JVM or Python behind.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  *tailBuffer
}

func startProcess(name string, cmd *exec.Cmd) (*process, error) {
	p := &process{name: name, cmd: cmd, done: make(chan struct{}), log: newTailBuffer(8 << 10)}
	cmd.Stdout = p.log
	cmd.Stderr = p.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop kills the process group and waits for the process to exit.
func (p *process) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// waitHTTP polls url until any HTTP answer arrives, the process exits, or
// ctx ends.
func (p *process) waitHTTP(ctx context.Context, url string) error {
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before it was ready (%v); its output:\n%s", p.name, p.err, p.log.String())
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w; its output:\n%s", p.name, ctx.Err(), p.log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// freePort asks the kernel for an unused loopback port. Another process may
// take it before ours binds; callers retry on a failed start.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts a server on a fresh port, retrying when the port was
// taken in between.
func startServer(ctx context.Context, name string, build func(port int) *exec.Cmd) (*process, string, error) {
	var errs []error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, "", err
		}
		p, err := startProcess(name, build(port))
		if err != nil {
			return nil, "", err
		}
		url := "http://127.0.0.1:" + strconv.Itoa(port)
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		err = p.waitHTTP(wctx, url)
		cancel()
		if err == nil {
			return p, url, nil
		}
		p.stop()
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, "", fmt.Errorf("start %s: %w", name, errors.Join(errs...))
}

// lookPath finds a required executable or explains how to get it.
func lookPath(name, hint string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found on PATH (%s): %w", name, hint, err)
	}
	return p, nil
}

// environ returns the process environment without AWS variables, so an
// operator's real credentials never reach a local emulator.
func environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		if len(kv) >= 4 && kv[:4] == "AWS_" {
			continue
		}
		out = append(out, kv)
	}
	return out
}
