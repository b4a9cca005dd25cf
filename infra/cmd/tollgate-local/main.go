// Command tollgate-local runs the whole system on one machine (`make run`):
// the local AWS stack with its enforcing endpoint, every HTTP function on
// one port, the built-in mock provider, the scheduled jobs, and a seeded
// demo org whose URL and key go to .local/demo.env. It stays in the
// foreground until Ctrl-C and stops everything it started.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/logging"
)

func main() {
	var opts options
	flag.StringVar(&opts.addr, "addr", envOr("TOLLGATE_ADDR", "127.0.0.1:8787"), "address to serve the functions on")
	verbose := flag.Bool("v", false, "log every request")
	flag.DurationVar(&opts.retentionEvery, "retention-every", envDuration("TOLLGATE_RETENTION_EVERY", time.Minute),
		"how often the retention job runs (hourly in AWS)")
	flag.DurationVar(&opts.driftEvery, "drift-every", envDuration("TOLLGATE_DRIFT_EVERY", time.Minute),
		"how often the drift job runs (on a schedule in AWS)")
	flag.Parse()
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	opts.logger = logging.New(os.Stderr, level)
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "tollgate-local:", err)
		os.Exit(1)
	}
}

// run starts the system, writes the demo's env files, prints the banner and
// serves until Ctrl-C, SIGTERM or a failed server, then stops everything.
func run(opts options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	sys, err := start(ctx, opts)
	if err != nil {
		return err
	}
	defer sys.Close()
	envPath, err := writeLocalEnv(sys)
	if err != nil {
		return err
	}
	printBanner(sys, opts, envPath, time.Since(started))
	<-sys.Done()
	fmt.Println("\nstopping…")
	return sys.Close()
}

// writeLocalEnv writes .local/demo.env (the demo's URL and key) and
// .local/stack.env (for tollgate-admin -local) at the repository root, and
// returns the demo env's path.
func writeLocalEnv(sys *system) (string, error) {
	root, err := localstack.RepoRoot()
	if err != nil {
		return "", err
	}
	envPath := filepath.Join(root, ".local", "demo.env")
	if err := demo.WriteEnv(envPath, sys.baseURL, sys.demo); err != nil {
		return "", err
	}
	stackEnv := fmt.Sprintf("# Written by make run, for tollgate-admin -local.\nTOLLGATE_AWS_ENDPOINT=%s\nTOLLGATE_TABLE=%s\n",
		sys.stack.Endpoint, sys.stack.TableName)
	if err := os.WriteFile(filepath.Join(root, ".local", "stack.env"), []byte(stackEnv), 0o600); err != nil {
		return "", fmt.Errorf("write stack env: %w", err)
	}
	return envPath, nil
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
