package orgdata

import (
	"context"
	"maps"
	"slices"
)

// workspaceData walks the partitions of workspaces wss, each after what
// names it: the workspace's settings, aliases and alias history (alias
// names), its recommendations (runs, aliases), its run list (runs), the
// runs those name (datasets, aliases), its dataset metas (datasets), the
// dataset chunks, and last its shadow samples, one partition per alias.
func (w *walker) workspaceData(ctx context.Context, wss []string) error {
	names := map[string]string{"#w": "workspace", "#a": "alias", "#src": "source"}
	steps := []func() error{
		func() error { return w.workspaces(ctx, wss) },
		func() error {
			return w.each(ctx, wss, recPK, read{projection: "pk, sk, run_id, #a", names: map[string]string{"#a": "alias"}})
		},
		func() error { return w.each(ctx, wss, evalListPK, read{projection: "pk, sk, run_id"}) },
		func() error {
			return w.each(ctx, slices.Sorted(maps.Keys(w.ix.runs)), evalRunPK,
				read{key: skEvalRun, projection: "pk, sk, #w, #a, #src", names: names})
		},
		func() error { return w.each(ctx, wss, datasetMetaPK, read{projection: "pk, sk"}) },
		func() error {
			return w.each(ctx, slices.Sorted(maps.Keys(w.ix.datasets)), datasetPK, read{probe: true})
		},
		func() error { return w.shadow(ctx, wss) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// workspaces reads each workspace's partitions whole enough to learn its
// alias names from their sort keys.
func (w *walker) workspaces(ctx context.Context, wss []string) error {
	for _, ws := range wss {
		for _, pk := range wsPartitions(w.org, ws) {
			if err := w.partition(ctx, pk, read{projection: "pk, sk"}); err != nil {
				return err
			}
		}
	}
	return nil
}

// each reads the partition pk names for every id, in the given order.
func (w *walker) each(ctx context.Context, ids []string, pk func(org, id string) string, r read) error {
	for _, id := range ids {
		if err := w.partition(ctx, pk(w.org, id), r); err != nil {
			return err
		}
	}
	return nil
}

// shadow probes the shadow sample partition of every alias the index
// names for each workspace of wss.
func (w *walker) shadow(ctx context.Context, wss []string) error {
	for _, ws := range wss {
		for _, alias := range slices.Sorted(maps.Keys(w.ix.aliases[ws])) {
			if err := w.partition(ctx, shadowPK(w.org, ws, alias), read{probe: true}); err != nil {
				return err
			}
		}
	}
	return nil
}
