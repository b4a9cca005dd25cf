package orgdata

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/trace"
)

// DeleteWorkspace deletes workspace ws of org: its settings first, then
// its savings data (evaluation runs with their results, calls and budget
// counters, datasets, shadow samples, recommendations, and the feedback
// sent from it), its partitions (aliases, connections with their sealed
// keys, alias history), its traces with their pending redactions, its
// budget and rate counters, and last its directory entry, so a run stopped
// part way leaves the workspace listed and a rerun finishes it.
//
// What belongs to the org rather than the workspace stays: daily
// aggregates (org totals per model, alias and tag, which keep counting the
// workspace's past calls, as the org's bill does), trace expiry markers
// (shared by the workspaces' traces of a day; retention removes them), the
// org's budget counter, reservations, the audit log, the evaluation kill
// switch, drift flags (per model, across workspaces), idempotency keys
// (per API key; they expire within a day), and API tokens, which the
// caller revokes through the token package first (it owns their lookups)
// — a token of a deleted workspace authenticates but can no longer load
// the workspace's settings.
func DeleteWorkspace(ctx context.Context, db OrgDB, table, org, ws string) (Counts, error) {
	if err := checkOrg(org); err != nil {
		return nil, err
	}
	if err := checkWorkspace(ws); err != nil {
		return nil, err
	}
	w := newWalker(db, table, org, time.Now(), nil)
	for _, step := range []func(context.Context) error{w.orgPartition, w.aggregates, w.aggregateAliases} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	counts := Counts{}
	// Settings first: once they are gone neither the gateway nor an
	// evaluation worker can load the workspace, so no new traces, samples,
	// results or counters appear behind the deletion.
	if err := purgeKey(ctx, db, table, org, wsPK(org, ws), skSettings, counts); err != nil {
		return counts, err
	}
	if err := deleteWorkspaceData(ctx, w, ws, counts); err != nil {
		return counts, err
	}
	if err := deleteWorkspaceTraces(ctx, db, table, org, ws, slices.Sorted(maps.Keys(w.ix.traceDays)), counts); err != nil {
		return counts, err
	}
	if err := deleteCounters(ctx, db, table, org, []string{ws}, counts); err != nil {
		return counts, err
	}
	if err := purgeKey(ctx, db, table, org, orgPK(org), "WS#"+ws, counts); err != nil {
		return counts, err
	}
	return counts, nil
}

// deleteWorkspaceTraces deletes ws's traces on days, each page's redaction
// markers before its traces, so no marker outlives its trace for long.
func deleteWorkspaceTraces(ctx context.Context, db OrgDB, table, org, ws string, days []string, counts Counts) error {
	for _, day := range days {
		for shard := range trace.Shards {
			pk := tracePK(org, day, shard)
			in := partitionQuery(table, pk)
			in.FilterExpression = aws.String("#w = :ws")
			in.ProjectionExpression = aws.String("pk, sk, trace_id, redact_at")
			in.ExpressionAttributeNames = map[string]string{"#w": "workspace"}
			in.ExpressionAttributeValues[":ws"] = s(ws)
			err := purge(ctx, db, table, org, "delete traces of "+pk, in, counts, func(page []item) error {
				var markers []item
				for _, it := range page {
					n, _ := it["redact_at"].(*types.AttributeValueMemberN)
					if n == nil || str(it, "trace_id") == "" {
						continue
					}
					markers = append(markers, item{"pk": s(redactPK(org)), "sk": s(redactSK(n.Value, str(it, "trace_id")))})
				}
				if err := deleteKeys(ctx, db, table, markers); err != nil {
					return err
				}
				counts[FamilyRedact] += len(markers)
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// redactSK is the trace package's redaction marker sort key,
// %012d#<trace id> of the unix redaction time.
func redactSK(unix, traceID string) string {
	for len(unix) < 12 {
		unix = "0" + unix
	}
	return unix + "#" + traceID
}
