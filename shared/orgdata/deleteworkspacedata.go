package orgdata

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// deleteWorkspaceData walks ws's partitions (workspaceData) and deletes
// them in the reverse order, after the budget counters of its evaluations
// and the feedback sent from it: whatever names a partition outlives it,
// so a rerun after a crash still finds what is left. The walk reads the
// workspace's own partitions only; the org's aggregates, which w has read,
// add the aliases of recent shadow samples.
func deleteWorkspaceData(ctx context.Context, w *walker, ws string, counts Counts) error {
	db, table, org := w.db, w.table, w.org
	from := len(w.found)
	if err := w.workspaceData(ctx, []string{ws}); err != nil {
		return err
	}
	scopes := append([]string{evalScope(ws)}, slices.Sorted(maps.Keys(w.ix.runs))...)
	if err := deleteCounters(ctx, db, table, org, scopes, counts); err != nil {
		return err
	}
	if err := deleteWorkspaceFeedback(ctx, db, table, org, ws, counts); err != nil {
		return err
	}
	for i := len(w.found) - 1; i >= from; i-- {
		src := w.found[i]
		if !strings.HasPrefix(src.pk, datasetPK(org, "")) {
			if err := purgeSource(ctx, db, table, org, src, counts); err != nil {
				return err
			}
			continue
		}
		// A dataset partition is not per workspace: its chunks carry their
		// workspace, which dataset.Delete checks too.
		in := src.query(table)
		in.ProjectionExpression = aws.String("pk, sk")
		in.FilterExpression = aws.String("#ws = :ws")
		in.ExpressionAttributeNames = map[string]string{"#ws": "ws"}
		in.ExpressionAttributeValues[":ws"] = s(ws)
		if err := purge(ctx, db, table, org, "delete chunks of "+src.pk, in, counts, nil); err != nil {
			return err
		}
	}
	return nil
}

// deleteCounters deletes the budget and rate counters of scopes.
func deleteCounters(ctx context.Context, db OrgDB, table, org string, scopes []string, counts Counts) error {
	for _, scope := range scopes {
		for _, pk := range []string{budgetPK(org, scope), ratePK(org, scope)} {
			if err := purgeSource(ctx, db, table, org, source{pk: pk}, counts); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteWorkspaceFeedback deletes the feedback ws sent, found through the
// org's feedback index (each score records its workspace).
func deleteWorkspaceFeedback(ctx context.Context, db OrgDB, table, org, ws string, counts Counts) error {
	in := source{pk: feedbackIndexPK(org), index: true}.query(table)
	in.FilterExpression = aws.String("#w = :ws")
	in.ExpressionAttributeNames = map[string]string{"#w": "workspace"}
	in.ExpressionAttributeValues[":ws"] = s(ws)
	in.ProjectionExpression = aws.String("pk, sk")
	return purge(ctx, db, table, org, "delete feedback of "+ws, in, counts, nil)
}
