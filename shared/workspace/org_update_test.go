package workspace_test

import (
	"reflect"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

func TestUpdateOrg(t *testing.T) {
	f := newFixture(t)
	overrides := map[string]pricing.Price{"openai/ft-mine": {Input: 1000, Output: 2000, MaxOutput: 4096}}
	if err := f.st.PutOrg(f.ctx, f.sc.DynamoDB, f.org, workspace.Org{Name: "acme", MonthlyCap: 5e9, PriceOverrides: overrides}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws); err != nil { // warm the cache
		t.Fatal(err)
	}
	before, after, err := f.st.UpdateOrg(f.ctx, f.sc.DynamoDB, f.org, workspace.OrgPatch{
		Name: ptr("Acme Inc."), MonthlyCap: ptr(pricing.NanoUSD(1e18)), AlertThresholds: &[]int{50, 90}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (workspace.Org{Name: "acme", MonthlyCap: 5e9, PriceOverrides: overrides}); !reflect.DeepEqual(before, want) {
		t.Fatalf("before: %+v", before)
	}
	want := workspace.Org{Name: "Acme Inc.", MonthlyCap: 1e18, PriceOverrides: overrides, AlertThresholds: []int{50, 90}}
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("after: %+v", after)
	}
	snap, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || !reflect.DeepEqual(snap.OrgSettings, want) {
		t.Fatalf("Load after org patch: %+v %v", snap, err)
	}
	if _, ok := snap.Prices.Lookup("openai", "ft-mine"); !ok {
		t.Fatal("price overrides were lost")
	}
	// Only the cap moves; clearing thresholds removes them.
	if _, after, err = f.st.UpdateOrg(f.ctx, f.sc.DynamoDB, f.org, workspace.OrgPatch{
		MonthlyCap: ptr(pricing.NanoUSD(0)), AlertThresholds: &[]int{}}); err != nil {
		t.Fatal(err)
	}
	want.MonthlyCap, want.AlertThresholds = 0, nil
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("after clearing: %+v", after)
	}

	cases := []struct {
		name        string
		p           workspace.OrgPatch
		code, param string
	}{
		{"empty name", workspace.OrgPatch{Name: ptr("")}, "invalid_name", "name"},
		{"control character", workspace.OrgPatch{Name: ptr("a\nb")}, "invalid_name", "name"},
		{"negative cap", workspace.OrgPatch{MonthlyCap: ptr(pricing.NanoUSD(-1))}, "invalid_monthly_cap", "monthly_cap"},
		{"cap over 1e18", workspace.OrgPatch{MonthlyCap: ptr(pricing.NanoUSD(1e18 + 1))}, "invalid_monthly_cap", "monthly_cap"},
		{"thresholds unsorted", workspace.OrgPatch{AlertThresholds: &[]int{90, 50}}, "invalid_alert_thresholds", "alert_thresholds"},
		{"threshold 101", workspace.OrgPatch{AlertThresholds: &[]int{101}}, "invalid_alert_thresholds", "alert_thresholds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := f.st.UpdateOrg(f.ctx, f.sc.DynamoDB, f.org, c.p)
			wantCode(t, c.name, err, apperr.Invalid, c.code, c.param)
		})
	}

	// An org without its settings item is NotFound, asked with its own session.
	other := id.New(id.Org)
	osc, err := sessions.For(f.ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.st.UpdateOrg(f.ctx, osc.DynamoDB, other, workspace.OrgPatch{Name: ptr("x")})
	wantCode(t, "absent org", err, apperr.NotFound, "org_not_found", "")
}
