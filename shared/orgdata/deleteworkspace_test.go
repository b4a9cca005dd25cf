package orgdata_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/orgdata"
)

func TestDeleteWorkspaceRemovesOnlyThatWorkspace(t *testing.T) {
	ctx := ctxT(t)
	a, b := buildOrg(t), buildOrg(t)
	beforeA, beforeB := orgItems(t, a.org), orgItems(t, b.org)
	ws, base := a.ws[0], "ORG#"+a.org

	// What must go: ws's partition, directory entry, counters, traces and
	// the redaction markers of those traces. Everything else stays.
	removed := map[string]bool{}
	for key, it := range beforeA {
		pk := str(it, "pk")
		if strings.HasPrefix(pk, base+"#TR#") && str(it, "workspace") == ws {
			removed[key] = true
		}
	}
	tracesOfWS := 0
	for key, it := range beforeA {
		pk, sk := str(it, "pk"), str(it, "sk")
		switch {
		case removed[key]:
			tracesOfWS++
		case pk == base+"#WS#"+ws, pk == base+"#WS#"+ws+"#ALIASV", pk == base && sk == "WS#"+ws, pk == base+"#BUDGET#"+ws, pk == base+"#RATE#"+ws,
			pk == base+"#REDACT" && removed[str(it, "trace_pk")+"|"+str(it, "trace_sk")]:
			removed[key] = true
		}
	}
	if tracesOfWS == 0 || len(removed) <= tracesOfWS {
		t.Fatalf("the fixture gives the workspace nothing to delete: %d traces, %d items", tracesOfWS, len(removed))
	}

	counts, err := orgdata.DeleteWorkspace(ctx, a.sc.DynamoDB, stack.TableName, a.org, ws)
	if err != nil {
		t.Fatal(err)
	}
	afterA := orgItems(t, a.org)
	for key, it := range beforeA {
		after, kept := afterA[key]
		switch {
		case removed[key] && kept:
			t.Errorf("%s was not deleted", key)
		case !removed[key] && !kept:
			t.Errorf("%s was deleted", key)
		case kept && !reflect.DeepEqual(it, after):
			t.Errorf("%s was changed", key)
		}
	}
	if len(afterA) != len(beforeA)-len(removed) {
		t.Errorf("org A holds %d items, want %d", len(afterA), len(beforeA)-len(removed))
	}
	if counts.Total() != len(removed) || counts[orgdata.FamilyTrace] != tracesOfWS {
		t.Errorf("counts %v (total %d), want %d items of which %d traces", counts, counts.Total(), len(removed), tracesOfWS)
	}
	if !reflect.DeepEqual(orgItems(t, b.org), beforeB) {
		t.Error("org B changed")
	}

	again, err := orgdata.DeleteWorkspace(ctx, a.sc.DynamoDB, stack.TableName, a.org, ws)
	if err != nil || again.Total() != 0 {
		t.Errorf("rerun: counts %v, err %v; want nothing to do", again, err)
	}
}
