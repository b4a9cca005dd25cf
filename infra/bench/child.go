package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/tollgate-dev/tollgate/shared/config"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/logging"
)

// childRoleEnv puts this program (or the bench test binary) in the gateway
// role: serve Tollgate's gateway over loopback HTTP and nothing else.
const childRoleEnv = "TOLLGATE_BENCH_ROLE"

// readyPrefix starts the line the child writes to stderr once it listens.
const readyPrefix = "TOLLGATE_BENCH_READY "

// handlerPath is the child's own endpoint: handler durations and in-flight
// count (GET), reset (DELETE). It never reaches the gateway.
const handlerPath = "/_bench/handler"

// profilePath is the child's CPU profile endpoint: GET ?seconds=N answers
// a pprof CPU profile of the next N seconds.
const profilePath = "/_bench/cpuprofile"

// maxDurations bounds the handler durations a child keeps between resets.
const maxDurations = 1 << 20

// RunChildIfAsked serves the gateway and exits when the process was started
// in the gateway role; otherwise it returns at once. Call it first in main
// and in TestMain: the harness runs Tollgate by re-executing its own binary,
// so the gateway has a process, a Go runtime and a memory of its own.
func RunChildIfAsked() {
	if os.Getenv(childRoleEnv) != "gateway" {
		return
	}
	if err := serveChild(); err != nil {
		fmt.Fprintln(os.Stderr, "bench gateway:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serveChild builds the gateway exactly as the Lambda's main does (same
// variables, same defaults, access log at INFO on stdout) and serves it on
// a free loopback port until stdin closes or a signal arrives.
func serveChild() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin) // the parent closes stdin to stop us
		stop()
	}()
	env := config.FromOS()
	logger := logging.New(os.Stdout, slog.LevelInfo)
	settings := gateway.Settings{
		Table:           env.String("TOLLGATE_TABLE"),
		TenantRoleARN:   env.String("TOLLGATE_TENANT_ROLE_ARN"),
		KMSKeyARN:       env.String("TOLLGATE_KMS_KEY_ARN"),
		AllowLoopback:   env.List("TOLLGATE_ALLOW_LOOPBACK", nil),
		RevocationDelay: env.Duration("TOLLGATE_REVOCATION_DELAY", 10*time.Second),
		SettingsTTL:     env.Duration("TOLLGATE_SETTINGS_TTL", 5*time.Second),
		BudgetTimeout:   env.Duration("TOLLGATE_BUDGET_TIMEOUT", 2*time.Second),
		HoldFor:         env.Duration("TOLLGATE_RESERVATION_HOLD", 16*time.Minute),
	}
	if err := env.Err(); err != nil {
		return err
	}
	fn, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS config: %w", err)
	}
	h, err := gateway.Assemble(fn, settings, logger)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: newTimed(h), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	fmt.Fprintf(os.Stderr, "%shttp://%s\n", readyPrefix, l.Addr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// timed wraps the gateway and records how long each call held its handler:
// settlement included, as Lambda bills an invocation until its handler
// returns.
type timed struct {
	next http.Handler

	mu        sync.Mutex
	inflight  int
	durations []time.Duration
}

func newTimed(next http.Handler) *timed { return &timed{next: next} }

// handlerStats is the child's answer on handlerPath: its handler times and
// the Go runtime's allocation counters, so allocations per call can be read
// as a difference over a window.
type handlerStats struct {
	Inflight    int     `json:"inflight"`
	DurationsUS []int64 `json:"durations_us"`
	Mallocs     uint64  `json:"mallocs"`
	TotalAlloc  uint64  `json:"total_alloc"`
	HeapInuse   uint64  `json:"heap_inuse"`
}

func (t *timed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case handlerPath:
		t.serveStats(w, r)
		return
	case profilePath:
		serveProfile(w, r)
		return
	}
	start := time.Now()
	t.mu.Lock()
	t.inflight++
	t.mu.Unlock()
	defer func() {
		d := time.Since(start)
		t.mu.Lock()
		defer t.mu.Unlock()
		t.inflight--
		if len(t.durations) < maxDurations {
			t.durations = append(t.durations, d)
		}
	}()
	t.next.ServeHTTP(w, r)
}

func (t *timed) serveStats(w http.ResponseWriter, r *http.Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := handlerStats{Inflight: t.inflight, DurationsUS: make([]int64, len(t.durations)),
			Mallocs: ms.Mallocs, TotalAlloc: ms.TotalAlloc, HeapInuse: ms.HeapInuse}
		for i, d := range t.durations {
			st.DurationsUS[i] = d.Microseconds()
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	case http.MethodDelete:
		t.durations = t.durations[:0]
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// serveProfile writes a CPU profile of the next ?seconds= seconds (at most
// a minute).
func serveProfile(w http.ResponseWriter, r *http.Request) {
	secs, err := strconv.Atoi(r.URL.Query().Get("seconds"))
	if err != nil || secs < 1 || secs > 60 {
		http.Error(w, "seconds must be 1 to 60", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if err := pprof.StartCPUProfile(w); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	select {
	case <-time.After(time.Duration(secs) * time.Second):
	case <-r.Context().Done():
	}
	pprof.StopCPUProfile()
}
