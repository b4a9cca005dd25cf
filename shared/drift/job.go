package drift

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/jobcheckpoint"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Registry is what the job does with its own role: list the org registry
// and keep its checkpoint. Nothing else.
type Registry interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Tenants hands out one org's scoped clients: all of an org's work is done
// through them.
type Tenants interface {
	For(ctx context.Context, org string) (*tenant.Scoped, error)
}

// AlsoFunc is a second per-org step, run after the org's drift step with
// the same session (e.g. the savings engine's verification). now is the
// job's clock when the invocation started. It must be idempotent: a run
// killed after it but before the checkpoint is saved runs it again.
type AlsoFunc func(ctx context.Context, org string, scoped *tenant.Scoped, now time.Time) error

// Config holds the job's dependencies, windows and bounds. Zero values
// take the defaults.
type Config struct {
	Table    string
	Registry Registry
	Tenants  Tenants
	Traces   *trace.Store
	// Feedback joins scores to calls; nil leaves scores out.
	Feedback *feedback.Store
	Logger   *slog.Logger
	// Clock decides the windows and stamps flags; tests move it. Default
	// time.Now.
	Clock func() time.Time
	// MaxRun bounds one invocation's work; the rest waits for the next
	// invocation. Default 4 minutes (the function's timeout is 5).
	MaxRun time.Duration
	// Margin is kept free before the context's deadline. Default 20 seconds.
	Margin time.Duration

	// Recent is the recent window, ending at the clock truncated to the
	// hour. Default 24 hours.
	Recent time.Duration
	// Reference is the reference window, ending where Recent starts.
	// Default 7 days. Each window is at most trace.MaxQueryRange.
	Reference time.Duration
	// Slice is the length each window is read in, newest first within a
	// slice, so a bounded read still covers the whole window evenly.
	// Whole hours; a window shorter than Slice is one slice. Default 6 hours.
	Slice time.Duration
	// RecentLimit and ReferenceLimit bound the calls read per window and
	// model, shared evenly among its slices. Default 2,000 each.
	RecentLimit, ReferenceLimit int
	// Options are Compare's guards; Family is set per org.
	Options Options
	// FlagTTL keeps a flag this long after its window. Default 90 days.
	FlagTTL time.Duration

	// Also, when set, is each org's second step.
	Also AlsoFunc
}

// Defaults.
const (
	DefaultRecent    = 24 * time.Hour
	DefaultReference = 7 * 24 * time.Hour
	DefaultSlice     = 6 * time.Hour
	DefaultLimit     = 2000
)

// Job is the drift job. Run it from one invocation at a time (the
// function's reserved concurrency is 1).
type Job struct {
	cfg   Config
	flags *Store
}

// New checks cfg and returns a Job with its defaults filled in.
func New(cfg Config) (*Job, error) {
	if cfg.Table == "" || cfg.Registry == nil || cfg.Tenants == nil || cfg.Traces == nil {
		return nil, errors.New("drift: table, registry, tenants and traces are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRun == 0 {
		cfg.MaxRun = 4 * time.Minute
	}
	if cfg.Margin == 0 {
		cfg.Margin = 20 * time.Second
	}
	if cfg.Recent == 0 {
		cfg.Recent = DefaultRecent
	}
	if cfg.Reference == 0 {
		cfg.Reference = DefaultReference
	}
	if cfg.Slice == 0 {
		cfg.Slice = DefaultSlice
	}
	if cfg.RecentLimit == 0 {
		cfg.RecentLimit = DefaultLimit
	}
	if cfg.ReferenceLimit == 0 {
		cfg.ReferenceLimit = DefaultLimit
	}
	if cfg.FlagTTL == 0 {
		cfg.FlagTTL = DefaultFlagTTL
	}
	switch {
	case cfg.Recent < time.Hour || cfg.Recent%time.Hour != 0 || cfg.Reference < time.Hour || cfg.Reference%time.Hour != 0:
		return nil, errors.New("drift: windows must be whole hours")
	case cfg.Recent > trace.MaxQueryRange || cfg.Reference > trace.MaxQueryRange:
		return nil, fmt.Errorf("drift: a window covers at most %s", trace.MaxQueryRange)
	case cfg.Slice < time.Hour || cfg.Slice%time.Hour != 0:
		return nil, errors.New("drift: slices must be whole hours")
	case cfg.RecentLimit < 0 || cfg.ReferenceLimit < 0 || cfg.MaxRun < 0 || cfg.Margin < 0 || cfg.FlagTTL < 0:
		return nil, errors.New("drift: limits and durations must not be negative")
	}
	st := NewStore(cfg.Table, cfg.Clock)
	st.ttl = cfg.FlagTTL
	return &Job{cfg: cfg, flags: st}, nil
}

// Flags is the job's flag store (same table, clock and TTL).
func (j *Job) Flags() *Store { return j.flags }

// Windows are the reference and recent windows a run at now evaluates.
func (j *Job) Windows(now time.Time) (reference, recent Window) {
	return j.windows(now.UTC().Truncate(time.Hour))
}

func (j *Job) windows(end time.Time) (reference, recent Window) {
	recent = Window{Start: end.Add(-j.cfg.Recent), End: end}
	reference = Window{Start: recent.Start.Add(-j.cfg.Reference), End: recent.Start}
	return reference, recent
}

// Report is what one invocation did.
type Report struct {
	Orgs     int      `json:"orgs"`     // orgs finished by this invocation
	Models   int      `json:"models"`   // models compared
	Detected int      `json:"detected"` // flags found, new or already stored
	Flags    int      `json:"flags"`    // flags newly written
	Failed   []string `json:"failed,omitempty"`
	// Done says the pass over every org finished; otherwise the next
	// invocation resumes from the checkpoint.
	Done bool `json:"done"`
}

// Run does as much of the current pass as its time bound allows, saving
// the checkpoint after every unit of work. It returns an error only when
// it could not make progress at all (registry or checkpoint unreachable,
// or ctx ended); an org whose work fails is logged, reported and tried
// again on the next pass, so one broken org never stalls the others.
func (j *Job) Run(ctx context.Context) (Report, error) {
	var rep Report
	stop := j.stopper(ctx)
	cp, err := j.loadCheckpoint(ctx)
	if err != nil {
		return rep, err
	}
	now := j.cfg.Clock().UTC()
	end := now.Truncate(time.Hour)
	if cp.WindowEnd != 0 && end.Sub(time.Unix(cp.WindowEnd, 0)) > j.cfg.Recent {
		// A pass left unfinished for longer than a recent window: its
		// windows are stale. Start over with today's.
		j.cfg.Logger.WarnContext(ctx, "drift pass abandoned: its windows are stale",
			"window_end", time.Unix(cp.WindowEnd, 0).UTC(), "after", cp.After)
		cp = checkpoint{Passes: cp.Passes, LastPassEnd: cp.LastPassEnd}
	}
	if cp.WindowEnd == 0 {
		cp.WindowEnd, cp.PassStarted = end.Unix(), now.Unix()
	}
	windowEnd := time.Unix(cp.WindowEnd, 0).UTC()
	j.cfg.Logger.InfoContext(ctx, "drift run", "window_end", windowEnd, "after", cp.After, "org", cp.Org,
		"step", string(cp.Step), "pass_started", time.Unix(cp.PassStarted, 0).UTC())
	var start map[string]types.AttributeValue
	if cp.After != "" {
		start = map[string]types.AttributeValue{"pk": str(registryPK), "sk": str(registrySK(cp.After))}
	}
	for {
		page, err := j.cfg.Registry.Query(ctx, &dynamodb.QueryInput{
			TableName:              aws.String(j.cfg.Table),
			KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :org)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": str(registryPK), ":org": str(registrySK("")),
			},
			ProjectionExpression: aws.String("org"),
			ExclusiveStartKey:    start,
			Limit:                aws.Int32(100),
		})
		if err != nil {
			return rep, fmt.Errorf("list org registry: %w", err)
		}
		for _, it := range page.Items {
			org, _ := it["org"].(*types.AttributeValueMemberS)
			if org == nil {
				continue
			}
			finished, err := j.runOrg(ctx, &cp, org.Value, windowEnd, now, stop, &rep)
			if err != nil {
				return rep, err
			}
			if !finished || stop() {
				return rep, nil // paused by the time bound; the checkpoint says where
			}
		}
		if page.LastEvaluatedKey == nil {
			break
		}
		start = page.LastEvaluatedKey
	}
	j.cfg.Logger.InfoContext(ctx, "drift pass complete", "passes", cp.Passes+1, "window_end", windowEnd,
		"pass_started", time.Unix(cp.PassStarted, 0).UTC())
	if err := j.saveCheckpoint(ctx, checkpoint{Passes: cp.Passes + 1, LastPassEnd: now.Unix(), LastWindowEnd: cp.WindowEnd}); err != nil {
		return rep, err
	}
	rep.Done = true
	return rep, nil
}

// stopper says when this invocation should stop taking new work: after
// MaxRun, or Margin before ctx's deadline, whichever comes first. It uses
// the wall clock: the injected clock decides windows, not run time.
func (j *Job) stopper(ctx context.Context) func() bool {
	deadline := time.Now().Add(j.cfg.MaxRun)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-j.cfg.Margin).Before(deadline) {
		deadline = dl.Add(-j.cfg.Margin)
	}
	return func() bool { return ctx.Err() != nil || !time.Now().Before(deadline) }
}

// runOrg does org's remaining steps from the checkpoint. finished is false
// when the time bound paused it (the checkpoint then holds its position).
// An org's own failure is logged and reported, and the org counts as done
// for this pass; a failure of the checkpoint or of ctx is returned.
func (j *Job) runOrg(ctx context.Context, cp *checkpoint, org string, windowEnd, now time.Time, stop func() bool, rep *Report) (bool, error) {
	if cp.Org != org { // a fresh org: start at its first step
		cp.startOrg(org)
	}
	w := orgWork{job: j, org: org, windowEnd: windowEnd, now: now, stop: stop}
	finished, err := w.run(ctx, cp)
	rep.Models += w.models
	rep.Detected += w.detected
	rep.Flags += w.written
	if ctx.Err() != nil {
		return false, fmt.Errorf("drift of %s: %w", org, ctx.Err())
	}
	var cpErr *jobcheckpoint.SaveError
	if errors.As(err, &cpErr) {
		return false, err
	}
	log := j.cfg.Logger.With("org", org, "models", w.models, "detected", w.detected, "flags", w.written)
	switch {
	case err != nil:
		rep.Failed = append(rep.Failed, org)
		log.ErrorContext(ctx, "drift org failed; tried again next pass", "step", string(cp.Step), "error", err)
	case !finished:
		log.InfoContext(ctx, "drift paused", "step", string(cp.Step), "models_done", cp.ModelsDone)
		return false, nil
	default:
		log.InfoContext(ctx, "drift org done")
	}
	rep.Orgs++
	cp.After = org
	cp.startOrg("")
	if err := j.saveCheckpoint(ctx, *cp); err != nil {
		return false, err
	}
	return true, nil
}

// The org registry: one global item per org, written when the org is
// created, read only by scheduled jobs.
const registryPK = "REGISTRY"

func registrySK(org string) string { return "ORG#" + org }
