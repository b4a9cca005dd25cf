package lambdaruntime

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

// Build compiles the function main package in dir as `make build` does,
// but for the host's architecture, and returns the bootstrap's path. Tests
// run the binary Lambda would run, not a library entry point.
func Build(dir string) (string, error) {
	out, err := os.MkdirTemp("", "bootstrap-")
	if err != nil {
		return "", fmt.Errorf("build bootstrap: %w", err)
	}
	path := filepath.Join(out, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", path, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bootstrap: %v: %s", err, msg)
	}
	return path, nil
}

// Function is a bootstrap process running against its own Runtime API.
type Function struct {
	*Server
	Logs *Output // the process's stdout and stderr
	cmd  *exec.Cmd
}

// Run starts bootstrap against a fresh loopback Runtime API, with env as
// its whole environment (plus AWS_LAMBDA_RUNTIME_API and _HANDLER).
func Run(bootstrap string, env []string) (*Function, error) {
	srv, err := Start()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bootstrap)
	cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + srv.Addr(), "_HANDLER=bootstrap"}, env...)
	logs := &Output{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		srv.Close()
		return nil, fmt.Errorf("start bootstrap: %w", err)
	}
	return &Function{Server: srv, Logs: logs, cmd: cmd}, nil
}

// Kill stops the process at once, as Lambda does on a timeout, and closes
// its Runtime API.
func (f *Function) Kill() {
	f.cmd.Process.Kill()
	f.cmd.Wait()
	f.Server.Close()
}

// Output collects a process's output, written by exec's copier while a
// test reads it.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
