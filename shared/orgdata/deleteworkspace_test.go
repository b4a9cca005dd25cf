package orgdata_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/orgdata"
)

// workspaceShare lists the items of before (f's org) that deleting
// workspace ws must remove, and how many of them are traces. Written out
// independently of the package: ws's partition, directory entry, counters,
// traces and the redaction markers of those traces, and its savings data:
// its evaluation runs (those its run list names) with their budget
// counters, datasets, shadow samples, recommendations and the feedback it
// sent. Everything else stays.
func workspaceShare(t *testing.T, f *fixture, before map[string]map[string]types.AttributeValue, ws string) (map[string]bool, int) {
	t.Helper()
	base := "ORG#" + f.org
	removed := map[string]bool{}
	runs := map[string]bool{}
	for key, it := range before {
		pk := str(it, "pk")
		switch {
		case strings.HasPrefix(pk, base+"#TR#") && str(it, "workspace") == ws:
			removed[key] = true
		case pk == base+"#EVALS#"+ws:
			runs[str(it, "run_id")] = true
		}
	}
	gone := func(pk, sk string, it map[string]types.AttributeValue) bool {
		rest, _ := strings.CutPrefix(pk, base+"#")
		scope, counter := strings.CutPrefix(rest, "BUDGET#")
		if !counter {
			scope, counter = strings.CutPrefix(rest, "RATE#")
		}
		run, _ := strings.CutPrefix(rest, "EVAL#")
		switch {
		case pk == base:
			return sk == "WS#"+ws
		case counter:
			return scope == ws || scope == "eval:"+ws || runs[scope]
		case strings.HasPrefix(rest, "DS#"):
			return str(it, "ws") == ws
		case strings.HasPrefix(rest, "FB#"):
			return str(it, "workspace") == ws
		case rest == "REDACT":
			return removed[str(it, "trace_pk")+"|"+str(it, "trace_sk")]
		}
		return rest == "WS#"+ws || rest == "WS#"+ws+"#ALIASV" || rest == "EVALS#"+ws || runs[run] || rest == "DSMETA#"+ws ||
			rest == "REC#"+ws || strings.HasPrefix(rest, "SHADOW#"+ws+"#")
	}
	traces := 0
	families := map[string]bool{}
	for key, it := range before {
		pk, sk := str(it, "pk"), str(it, "sk")
		switch {
		case removed[key]:
			traces++
		case gone(pk, sk, it):
			removed[key] = true
			rest, _ := strings.CutPrefix(pk, base+"#")
			fam, _, _ := strings.Cut(rest, "#")
			families[fam] = true
		}
	}
	if traces == 0 || len(runs) == 0 {
		t.Fatalf("the fixture gives the workspace %d traces and %d evaluation runs to delete", traces, len(runs))
	}
	for _, fam := range []string{"WS", "BUDGET", "EVALS", "EVAL", "DSMETA", "DS", "SHADOW", "REC", "FB"} {
		if !families[fam] {
			t.Errorf("the fixture gives the workspace nothing in %s partitions to delete", fam)
		}
	}
	return removed, traces
}

// assertOnlyRemoved checks that exactly the removed items of before are
// gone from f's org and that no other item changed.
func assertOnlyRemoved(t *testing.T, f *fixture, before map[string]map[string]types.AttributeValue, removed map[string]bool) {
	t.Helper()
	after := orgItems(t, f.org)
	for key, it := range before {
		now, kept := after[key]
		switch {
		case removed[key] && kept:
			t.Errorf("%s was not deleted", key)
		case !removed[key] && !kept:
			t.Errorf("%s was deleted", key)
		case kept && !reflect.DeepEqual(it, now):
			t.Errorf("%s was changed", key)
		}
	}
	if len(after) != len(before)-len(removed) {
		t.Errorf("the org holds %d items, want %d", len(after), len(before)-len(removed))
	}
}

func TestDeleteWorkspaceRemovesOnlyThatWorkspace(t *testing.T) {
	ctx := ctxT(t)
	a, b := buildOrg(t), buildOrg(t)
	beforeA, beforeB := orgItems(t, a.org), orgItems(t, b.org)
	ws := a.ws[0]
	removed, tracesOfWS := workspaceShare(t, a, beforeA, ws)

	counts, err := orgdata.DeleteWorkspace(ctx, a.sc.DynamoDB, stack.TableName, a.org, ws)
	if err != nil {
		t.Fatal(err)
	}
	assertOnlyRemoved(t, a, beforeA, removed)
	if counts.Total() != len(removed) || counts[orgdata.FamilyTrace] != tracesOfWS {
		t.Errorf("counts %v (total %d), want %d items of which %d traces", counts, counts.Total(), len(removed), tracesOfWS)
	}
	for _, fam := range []string{orgdata.FamilyEvalRun, orgdata.FamilyEvalCall, orgdata.FamilyDatasetPart, orgdata.FamilyShadow,
		orgdata.FamilyRecommendation, orgdata.FamilyFeedback} {
		if counts[fam] == 0 {
			t.Errorf("counts %v report no %s", counts, fam)
		}
	}
	if !reflect.DeepEqual(orgItems(t, b.org), beforeB) {
		t.Error("org B changed")
	}

	again, err := orgdata.DeleteWorkspace(ctx, a.sc.DynamoDB, stack.TableName, a.org, ws)
	if err != nil || again.Total() != 0 {
		t.Errorf("rerun: counts %v, err %v; want nothing to do", again, err)
	}
}

// TestDeleteWorkspaceResumesAfterACrash kills DeleteWorkspace at points
// spread over its deletions (found by recording a reference run's calls)
// and reruns it: the rerun must still find everything the workspace held,
// so whatever names a partition must outlive it.
func TestDeleteWorkspaceResumesAfterACrash(t *testing.T) {
	ref := buildOrg(t)
	rec := newKilling(1<<30, func() {})
	if _, err := orgdata.DeleteWorkspace(ctxT(t), rec.wrap(ref.sc.DynamoDB), stack.TableName, ref.org, ref.ws[0]); err != nil {
		t.Fatal(err)
	}
	ops := rec.recorded()
	first := slices.Index(ops, "BatchWriteItem")
	if first < 0 {
		t.Fatalf("the reference run deleted nothing: %v", ops)
	}
	// Kills from the settings deletion on, every few calls: among the
	// savings data, the workspace's partitions, its traces and last its
	// counters and directory entry.
	for n := int64(first + 1); n < int64(len(ops)-3); n += 6 {
		t.Run(fmt.Sprintf("call %d of %d", n, len(ops)), func(t *testing.T) {
			t.Parallel()
			f := buildOrg(t)
			before := orgItems(t, f.org)
			removed, _ := workspaceShare(t, f, before, f.ws[0])
			ctx, cancel := context.WithCancel(ctxT(t))
			k := newKilling(n, cancel)
			_, err := orgdata.DeleteWorkspace(ctx, k.wrap(f.sc.DynamoDB), stack.TableName, f.org, f.ws[0])
			cancel()
			if err == nil {
				t.Fatal("the killed run succeeded")
			}
			if _, err := orgdata.DeleteWorkspace(ctxT(t), f.sc.DynamoDB, stack.TableName, f.org, f.ws[0]); err != nil {
				t.Fatal(err)
			}
			assertOnlyRemoved(t, f, before, removed)
		})
	}
}
