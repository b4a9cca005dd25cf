package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/localstack"
)

// session is a run in progress: what it started, and what it measured.
type session struct {
	o    Options
	log  io.Writer
	root string

	ups     *upstreams
	stack   *localstack.Stack
	tenant  demo.Demo
	spread  []demo.Demo // further orgs for the spread saturation run
	gw      *gatewayChild
	pk      *portkey
	pkInst  portkeyInstall
	ngx     *nginx
	targets []Target
	res     *Results
}

// Run starts everything, measures, and writes the report and the chart.
// A full run fails when a peer is missing; a smoke run reports it.
func Run(ctx context.Context, o Options) (*Results, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	root, err := localstack.RepoRoot()
	if err != nil {
		return nil, err
	}
	s := &session{o: o, log: o.Log, root: root, res: &Results{Options: o, Started: time.Now().UTC(),
		Streaming: map[string]LoadResult{}, Saturation: map[string]LoadResult{}, Memory: map[string]MemoryUse{},
		CPUPerCall: map[string]time.Duration{}, MachineBusy: map[string]float64{}}}
	defer s.close()
	s.res.Machine = describeMachine(ctx)
	steps := []struct {
		name string
		do   func(context.Context) error
	}{
		{"check peers", s.checkPeers},
		{"start upstreams, local stack and Tollgate", s.startTollgate},
		{"start peers", s.startPeers},
		{"warm up", s.warmUp},
		{"non-streamed latency", s.measureLatency},
		{"streaming", s.measureStreaming},
		{"throughput at saturation", s.measureSaturation},
		{"memory", s.measureMemory},
		{"AWS calls per request", s.measureCalls},
		{"bootstrap size and cold start", s.measureFunctions},
	}
	for _, st := range steps {
		fmt.Fprintf(s.log, "== %s\n", st.name)
		if err := st.do(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", st.name, err)
		}
	}
	s.res.Cost = projectCost(CostInput{Calls: s.res.Warm, Billed: s.res.Billed.P(50), MemoryMB: s.res.MemoryMB, LogBytes: s.res.LogBytes})
	s.res.Took = time.Since(s.res.Started)
	if err := s.write(); err != nil {
		return nil, err
	}
	return s.res, nil
}

// close stops everything the run started, peers first.
func (s *session) close() {
	if s.pk != nil {
		s.pk.stop()
	}
	if s.ngx != nil {
		s.ngx.close()
	}
	if s.gw != nil {
		s.gw.stop()
	}
	if s.stack != nil {
		s.stack.Close()
	}
	if s.ups != nil {
		s.ups.close()
	}
}

// write puts the report and the chart in the repository, or for a smoke
// run (or an OutDir) in a directory of their own.
func (s *session) write() error {
	reportPath := filepath.Join(s.root, "BENCHMARKS.md")
	chartPath := filepath.Join(s.root, "bench", "latency.png")
	dir := s.o.OutDir
	if dir == "" && s.o.Smoke {
		var err error
		if dir, err = os.MkdirTemp("", "tollgate-bench-smoke-"); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	if dir != "" {
		reportPath, chartPath = filepath.Join(dir, "BENCHMARKS.md"), filepath.Join(dir, "latency.png")
	}
	s.res.ReportPath, s.res.ChartPath = reportPath, chartPath
	if err := writeChart(chartPath, s.res); err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(reportPath), chartPath)
	if err != nil {
		rel = chartPath
	}
	if err := os.WriteFile(reportPath, []byte(renderReport(s.res, filepath.ToSlash(rel))), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
