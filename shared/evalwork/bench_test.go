package evalwork_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/evalcall"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/outbound"
	"github.com/tollgate-dev/tollgate/shared/provider/adapters"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// BenchmarkWorkerItemsPerSecond is one worker scoring dataset items
// against an OpenAI-compatible upstream on loopback (no model latency):
// per item a lease, two metered calls (each a reservation, the provider
// call and a settlement with its sealed record), the score, the
// exactly-once result and the tidying — what the worker costs on top of
// the models. It reports items/s for one worker; the queue scales it out.
func BenchmarkWorkerItemsPerSecond(b *testing.B) {
	ctx := context.Background()
	m, err := mock.New(mock.Options{Models: map[string]mock.Model{"gpt-4o": {Quality: 0.95}, "gpt-4o-mini": {Quality: 0.6}}})
	if err != nil {
		b.Fatal(err)
	}
	up := httptest.NewServer(m.Handler())
	defer up.Close()
	host, _ := url.Parse(up.URL)

	d, err := demo.Seed(ctx, stack)
	if err != nil {
		b.Fatal(err)
	}
	sessions, err := stack.TenantSessions(ctx, "EvalWorkerFunctionRole")
	if err != nil {
		b.Fatal(err)
	}
	sc, err := sessions.For(ctx, d.Org)
	if err != nil {
		b.Fatal(err)
	}
	envelope := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN})
	keys := dataset.Bind(envelope, secrets.Scope{Org: d.Org, DynamoDB: sc.DynamoDB, KMS: sc.KMS})
	wsStore := workspace.NewStore(workspace.Config{Table: stack.TableName, CacheTTL: time.Minute})
	sealed, err := keys.Seal(ctx, workspace.PurposeProviderKey, workspace.KeyRecord(d.Workspace, "loop"), []byte("sk-bench-000000000000"))
	if err != nil {
		b.Fatal(err)
	}
	if err := wsStore.PutConnection(ctx, sc.DynamoDB, d.Org, d.Workspace, workspace.Connection{
		Name: "loop", Kind: workspace.KindOpenAI, BaseURL: up.URL + "/v1", SealedKey: sealed}); err != nil {
		b.Fatal(err)
	}
	const size = 500
	items := make([]dataset.Item, size)
	for i := range items {
		q := fmt.Sprintf("Ticket %d: which code? Answer: CODE-%d", i, i)
		items[i] = dataset.Item{Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent(q)}}, Reference: "CODE-" + strconv.Itoa(i)}
	}
	datasets := dataset.NewStore(dataset.Config{Table: stack.TableName})
	meta, err := datasets.Put(ctx, sc.DynamoDB, keys, d.Org, d.Workspace, "bench", items)
	if err != nil {
		b.Fatal(err)
	}
	providers, err := adapters.All(outbound.New(outbound.Config{AllowLoopback: []string{host.Host}}).HTTPClient(), false, mock.Options{})
	if err != nil {
		b.Fatal(err)
	}
	runs := evalrun.New(stack.TableName, nil)
	w := evalwork.New(evalwork.Config{
		Tenants: sessions, Runs: runs, Workspaces: wsStore, Envelope: envelope,
		Calls:   evalcall.New(evalcall.Config{Gate: budget.New(budget.Config{Table: stack.TableName}), Secrets: envelope, Providers: providers}),
		Sources: evalwork.Sources{Datasets: datasets},
	})
	refs := make([]string, size)
	for i := range refs {
		refs[i] = strconv.Itoa(i)
	}
	newRun := func() evalrun.Run {
		r, err := runs.Create(ctx, sc.DynamoDB, evalrun.Run{Org: d.Org, Workspace: d.Workspace, Baseline: "loop/gpt-4o",
			Candidate: "loop/gpt-4o-mini", Source: "dataset:" + meta.ID, Scorer: "normalized", ScorerConfig: `{"type":"normalized"}`,
			MaxOutputTokens: 64, Items: size, CapNano: 1 << 40})
		if err != nil {
			b.Fatal(err)
		}
		if err := runs.Move(ctx, sc.DynamoDB, d.Org, r.ID, evalrun.Pending, evalrun.Running, "bench"); err != nil {
			b.Fatal(err)
		}
		return r
	}
	b.ResetTimer()
	scored := 0
	for scored < b.N {
		b.StopTimer()
		r := newRun()
		b.StartTimer()
		for _, msg := range evalwork.Chunks(d.Org, d.Workspace, r.ID, refs) {
			if scored >= b.N {
				break
			}
			out, err := w.Process(ctx, msg, false)
			if err != nil || out.Scored != len(msg.Items) {
				b.Fatalf("chunk: %+v %v", out, err)
			}
			scored += out.Scored
		}
	}
	b.ReportMetric(float64(scored)/b.Elapsed().Seconds(), "items/s")
}
