package bench

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// measureCalls counts AWS calls per request on a fresh gateway process
// whose AWS calls pass through the meter: its first call (a new
// instance), warm non-streamed calls, and warm streamed calls, one at a
// time. The latency runs use a gateway without the meter, so its extra hop
// is in none of their figures.
func (s *session) measureCalls(ctx context.Context) error {
	if s.gw != nil { // one gateway at a time, so the enforcer counts only this one
		s.gw.stop()
		s.gw = nil
	}
	m, err := newMeter(s.stack.Endpoint)
	if err != nil {
		return err
	}
	srv, err := serve(m)
	if err != nil {
		return err
	}
	defer srv.close()
	gw, err := startTollgate(ctx, s.stack, s.ups, srv.URL, "metered")
	if err != nil {
		return err
	}
	defer gw.stop()
	t := gw.target(s.tenant)
	direct := dynamodb.NewFromConfig(s.stack.DirectDynamoDBConfig())
	window := func(n int, shot Shot) (Calls, error) {
		s.stack.Enforcer.ResetStats()
		m.reset()
		res, err := Load(ctx, LoadSpec{Concurrency: 1, Requests: n, MaxDuration: 4 * s.o.MaxDuration}, shot)
		if err != nil {
			return Calls{}, err
		}
		if res.Errors > 0 {
			return Calls{}, fmt.Errorf("metered calls failed: %s", res.FirstError)
		}
		if _, err := gw.settled(ctx); err != nil {
			return Calls{}, err
		}
		calls := m.snapshot()
		assumed, err := resolveSizes(ctx, direct, s.stack.TableName, calls)
		if err != nil {
			return Calls{}, err
		}
		return summarizeCalls(len(res.Samples), s.stack.Enforcer.Stats(), calls, assumed), nil
	}
	if s.res.FirstCall, err = window(1, CompleteShot(t.Endpoints[Paced], s.o.MaxTokens)); err != nil {
		return err
	}
	if s.res.Warm, err = window(s.o.Metered, CompleteShot(t.Endpoints[Paced], s.o.MaxTokens)); err != nil {
		return err
	}
	if s.res.Streamed, err = window(max(s.o.Metered/4, 1), StreamShot(t.Endpoints[Stream], s.o.StreamTokens)); err != nil {
		return err
	}
	fmt.Fprintf(s.log, "  warm: %.2f WRU, %.2f RRU per request\n", s.res.Warm.PerRequest(s.res.Warm.WriteUnits), s.res.Warm.PerRequest(s.res.Warm.ReadUnits))
	return nil
}
