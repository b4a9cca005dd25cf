package bench

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tollgate-dev/tollgate/infra/lambdaruntime"
	"github.com/tollgate-dev/tollgate/infra/localstack"
)

// lambdaBuildFlags are `make build`'s flags (LAMBDA_FLAGS in the Makefile).
func lambdaBuildFlags() []string {
	return []string{"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid="}
}

// Function is one Lambda function's deployable size and cold start.
type Function struct {
	Name string
	// Size is the bootstrap as `make build` builds it (linux/arm64); 0 when
	// not built (the smoke run builds only the host binary).
	Size int64
	// HostSize is the same build for this machine, the one that was run.
	HostSize int64
	// Inits are the cold starts: process start to first /next poll on a
	// loopback Lambda Runtime API.
	Inits []time.Duration
}

// measureFunctions builds every function under functions/ and starts each
// bootstrap runs times against a fresh loopback Runtime API, with its
// template environment and its own role, as Lambda would.
func measureFunctions(ctx context.Context, root string, stack *localstack.Stack, runs int, arm64 bool, log io.Writer) ([]Function, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	work, err := os.MkdirTemp("", "tollgate-bench-bootstrap-")
	if err != nil {
		return nil, fmt.Errorf("build dir: %w", err)
	}
	defer os.RemoveAll(work)
	var out []Function
	for _, mainFile := range dirs {
		name := filepath.Base(filepath.Dir(mainFile))
		fmt.Fprintf(log, "function %s: build and %d cold starts\n", name, runs)
		f := Function{Name: name}
		if arm64 {
			if f.Size, err = buildBootstrap(ctx, root, name, filepath.Join(work, "arm64", name), "linux", "arm64"); err != nil {
				return nil, err
			}
		}
		host := filepath.Join(work, "host", name)
		if f.HostSize, err = buildBootstrap(ctx, root, name, host, runtime.GOOS, runtime.GOARCH); err != nil {
			return nil, err
		}
		env, err := functionEnv(ctx, stack, name)
		if err != nil {
			return nil, err
		}
		for range runs {
			d, err := coldStart(ctx, filepath.Join(host, "bootstrap"), env)
			if err != nil {
				return nil, fmt.Errorf("function %s: %w", name, err)
			}
			f.Inits = append(f.Inits, d)
		}
		out = append(out, f)
	}
	return out, nil
}

// buildBootstrap builds ./functions/<name> into dir/bootstrap and returns
// its size.
func buildBootstrap(ctx context.Context, root, name, dir, goos, goarch string) (int64, error) {
	bin := filepath.Join(dir, "bootstrap")
	args := append([]string{"build"}, lambdaBuildFlags()...)
	cmd := exec.CommandContext(ctx, "go", append(args, "-o", bin, "./functions/"+name)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build %s for %s/%s: %w\n%s", name, goos, goarch, err, out)
	}
	st, err := os.Stat(bin)
	if err != nil {
		return 0, fmt.Errorf("build %s: %w", name, err)
	}
	return st.Size(), nil
}

// functionEnv is what Lambda would give the function: its role's
// credentials and its template environment (Globals and its own), with
// every AWS call going to the local stack.
func functionEnv(ctx context.Context, stack *localstack.Stack, name string) ([]string, error) {
	logical := ""
	for _, id := range stack.Template.ResourcesOfType("AWS::Serverless::Function") {
		if strings.EqualFold(id, name+"Function") {
			logical = id
		}
	}
	if logical == "" {
		return nil, fmt.Errorf("function %s: no %sFunction in template.yaml", name, name)
	}
	res := stack.Template.Resources[logical]
	role, err := stack.Template.Resolve(res.Properties["Role"], stack.Env)
	if err != nil {
		return nil, fmt.Errorf("function %s: resolve its role: %w", name, err)
	}
	roleARN, ok := role.(string)
	if !ok {
		return nil, fmt.Errorf("function %s: its role is not an ARN", name)
	}
	creds, err := assumeRole(ctx, stack, roleARN)
	if err != nil {
		return nil, err
	}
	vars := map[string]any{}
	globals, _ := stack.Template.Globals["Function"].(map[string]any)
	for _, props := range []map[string]any{globals, res.Properties} {
		envProp, _ := props["Environment"].(map[string]any)
		v, _ := envProp["Variables"].(map[string]any)
		maps.Copy(vars, v)
	}
	env := lambdaEnv(stack, creds, stack.Endpoint)
	env = append(env, "_HANDLER=bootstrap", "AWS_LAMBDA_FUNCTION_NAME="+name, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST")
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		v, err := stack.Template.Resolve(vars[k], stack.Env)
		if err != nil {
			return nil, fmt.Errorf("function %s: resolve %s: %w", name, k, err)
		}
		env = append(env, fmt.Sprintf("%s=%v", k, v))
	}
	return env, nil
}

// coldStart starts bin once against a fresh Runtime API and returns the
// time from starting the process to its first poll for an event.
func coldStart(ctx context.Context, bin string, env []string) (time.Duration, error) {
	rt, err := lambdaruntime.Start()
	if err != nil {
		return 0, err
	}
	defer rt.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(slices.Clone(env), "AWS_LAMBDA_RUNTIME_API="+rt.Addr())
	out := &tail{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start bootstrap: %w", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ready, err := rt.WaitReady(wctx)
	if err != nil {
		return 0, fmt.Errorf("cold start: %w; its output:\n%s", err, out.String())
	}
	return ready.Sub(start), nil
}
