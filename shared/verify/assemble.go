package verify

import (
	"errors"
	"log/slog"
	"time"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Assemble builds the verifier the drift function runs, with every store
// on table and clock (time.Now when nil) and the default bounds, so the
// function's main wires it the way it wires drift.Assemble. Every read
// and write goes through the org session Step is handed.
func Assemble(table string, clock func() time.Time, logger *slog.Logger) (*Verifier, error) {
	if table == "" {
		return nil, errors.New("assemble verification: table is required")
	}
	recs := recommend.NewStore(table, clock)
	return New(Config{
		Actions: &recommend.Actions{
			Store:   recs,
			Aliases: workspace.NewStore(workspace.Config{Table: table, Clock: clock}),
			Clock:   clock,
		},
		Traces:   trace.NewStore(table, clock),
		Feedback: feedback.NewStore(table, feedback.WithClock(clock)),
		Audit:    audit.New(audit.Config{Table: table, Clock: clock}),
		Runs:     evalrun.New(table, clock),
		Logger:   logger,
	})
}
