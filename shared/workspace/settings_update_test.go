package workspace_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

func TestUpdateSettingsValidation(t *testing.T) {
	f := newFixture(t)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("openai/m%d", i)
	}
	cases := []struct {
		name        string
		p           workspace.SettingsPatch
		code, param string
	}{
		{"negative cap", workspace.SettingsPatch{MonthlyCap: ptr(pricing.NanoUSD(-1))}, "invalid_monthly_cap", "monthly_cap"},
		{"cap over 1e18", workspace.SettingsPatch{MonthlyCap: ptr(pricing.NanoUSD(1e18 + 1))}, "invalid_monthly_cap", "monthly_cap"},
		{"negative rpm", workspace.SettingsPatch{RPM: ptr(int64(-1))}, "invalid_rpm", "rpm"},
		{"rpm over 1e9", workspace.SettingsPatch{RPM: ptr(int64(1e9 + 1))}, "invalid_rpm", "rpm"},
		{"negative tpm", workspace.SettingsPatch{TPM: ptr(int64(-1))}, "invalid_tpm", "tpm"},
		{"tpm over 1e9", workspace.SettingsPatch{TPM: ptr(int64(1e9 + 1))}, "invalid_tpm", "tpm"},
		{"negative max output", workspace.SettingsPatch{MaxOutputTokens: ptr(int64(-1))}, "invalid_max_output_tokens", "max_output_tokens"},
		{"max output over 1e7", workspace.SettingsPatch{MaxOutputTokens: ptr(int64(1e7 + 1))}, "invalid_max_output_tokens", "max_output_tokens"},
		{"101 models", workspace.SettingsPatch{AllowedModels: &many}, "invalid_allowed_models", "allowed_models"},
		{"201-byte model", workspace.SettingsPatch{AllowedModels: &[]string{strings.Repeat("m", 201)}}, "invalid_allowed_models", "allowed_models"},
		{"empty model", workspace.SettingsPatch{AllowedModels: &[]string{""}}, "invalid_allowed_models", "allowed_models"},
		{"model with space", workspace.SettingsPatch{AllowedModels: &[]string{"gpt 4o"}}, "invalid_allowed_models", "allowed_models"},
		{"invalid utf-8 model", workspace.SettingsPatch{AllowedModels: &[]string{"\xff"}}, "invalid_allowed_models", "allowed_models"},
		{"duplicate model", workspace.SettingsPatch{AllowedModels: &[]string{"a", "a"}}, "invalid_allowed_models", "allowed_models"},
		{"retention 0", workspace.SettingsPatch{RetentionDays: ptr(int64(0))}, "invalid_retention_days", "retention_days"},
		{"retention 3651", workspace.SettingsPatch{RetentionDays: ptr(int64(3651))}, "invalid_retention_days", "retention_days"},
		{"retention below stored redaction", workspace.SettingsPatch{RetentionDays: ptr(int64(29))}, "invalid_retention_days", "retention_days"},
		{"redact 0", workspace.SettingsPatch{RedactAfterDays: ptr(int64(0))}, "invalid_redact_after_days", "redact_after_days"},
		{"redact after stored retention", workspace.SettingsPatch{RedactAfterDays: ptr(int64(91))}, "invalid_redact_after_days", "redact_after_days"},
		{"redact after patched retention", workspace.SettingsPatch{RetentionDays: ptr(int64(10)), RedactAfterDays: ptr(int64(11))}, "invalid_redact_after_days", "redact_after_days"},
		{"6 thresholds", workspace.SettingsPatch{AlertThresholds: &[]int{10, 20, 30, 40, 50, 60}}, "invalid_alert_thresholds", "alert_thresholds"},
		{"threshold 0", workspace.SettingsPatch{AlertThresholds: &[]int{0, 50}}, "invalid_alert_thresholds", "alert_thresholds"},
		{"threshold 101", workspace.SettingsPatch{AlertThresholds: &[]int{50, 101}}, "invalid_alert_thresholds", "alert_thresholds"},
		{"thresholds unsorted", workspace.SettingsPatch{AlertThresholds: &[]int{80, 50}}, "invalid_alert_thresholds", "alert_thresholds"},
		{"thresholds repeated", workspace.SettingsPatch{AlertThresholds: &[]int{50, 50}}, "invalid_alert_thresholds", "alert_thresholds"},
		{"negative eval cap", workspace.SettingsPatch{EvalMonthlyCap: ptr(pricing.NanoUSD(-1))}, "invalid_eval_monthly_cap", "eval_monthly_cap_nano"},
		{"shadow 101%", workspace.SettingsPatch{ShadowSamplePercent: ptr(int64(101))}, "invalid_shadow_sample_pct", "shadow_sample_pct"},
		{"shadow -1%", workspace.SettingsPatch{ShadowSamplePercent: ptr(int64(-1))}, "invalid_shadow_sample_pct", "shadow_sample_pct"},
		{"margin 0bp", workspace.SettingsPatch{MarginBP: ptr(int64(0))}, "invalid_noninferiority_margin", "noninferiority_margin_bp"},
		{"margin 5001bp", workspace.SettingsPatch{MarginBP: ptr(int64(5001))}, "invalid_noninferiority_margin", "noninferiority_margin_bp"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := f.st.UpdateSettings(f.ctx, f.sc.DynamoDB, f.org, f.ws, c.p)
			wantCode(t, c.name, err, apperr.Invalid, c.code, c.param)
		})
	}
	snap, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	if want := (workspace.Settings{Name: "team", RedactAfterDays: 30, RetentionDays: 90, EvalMonthlyCap: workspace.DefaultEvalMonthlyCap,
		MarginBP: workspace.DefaultMarginBP}); !reflect.DeepEqual(snap.Settings, want) {
		t.Fatalf("refused patches changed the settings: %+v", snap.Settings)
	}
	_, _, err = f.st.UpdateSettings(f.ctx, f.sc.DynamoDB, f.org, id.New(id.Workspace), workspace.SettingsPatch{RPM: ptr(int64(1))})
	wantCode(t, "absent workspace", err, apperr.NotFound, "workspace_not_found", "")
}

func TestUpdateSettingsRoundTrip(t *testing.T) {
	f := newFixture(t)
	if _, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws); err != nil { // warm the cache
		t.Fatal(err)
	}
	p := workspace.SettingsPatch{
		MonthlyCap: ptr(pricing.NanoUSD(1e18)), RPM: ptr(int64(1e9)), TPM: ptr(int64(250_000)),
		MaxOutputTokens: ptr(int64(1e7)), AllowedModels: &[]string{"default", "openai/gpt-4o", "together/meta-llama/Llama-3-8b"},
		StoreContentAllowed: ptr(true), RedactAfterDays: ptr(int64(3650)), RetentionDays: ptr(int64(3650)),
		AlertThresholds: &[]int{1, 50, 80, 90, 100}, EvalMonthlyCap: ptr(pricing.NanoUSD(5_000_000_000)), ShadowSamplePercent: ptr(int64(25)),
		MarginBP: ptr(int64(250)),
	}
	before, after, err := f.st.UpdateSettings(f.ctx, f.sc.DynamoDB, f.org, f.ws, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := (workspace.Settings{Name: "team", RedactAfterDays: 30, RetentionDays: 90, EvalMonthlyCap: workspace.DefaultEvalMonthlyCap, MarginBP: workspace.DefaultMarginBP}); !reflect.DeepEqual(before, want) {
		t.Fatalf("before: %+v", before)
	}
	want := workspace.Settings{Name: "team", MonthlyCap: 1e18, RPM: 1e9, TPM: 250_000, MaxOutputTokens: 1e7,
		AllowedModels: *p.AllowedModels, StoreContentAllowed: true, RedactAfterDays: 3650, RetentionDays: 3650,
		AlertThresholds: []int{1, 50, 80, 90, 100}, EvalMonthlyCap: 5_000_000_000, ShadowSamplePercent: 25, MarginBP: 250}
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("after:\n got %+v\nwant %+v", after, want)
	}
	// The gateway's snapshot sees the patch at once on this instance.
	snap, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || !reflect.DeepEqual(snap.Settings, want) {
		t.Fatalf("Load after patch: %+v %v", snap, err)
	}

	// A partial patch leaves the rest alone; empty lists clear; zero caps lift.
	before, after, err = f.st.UpdateSettings(f.ctx, f.sc.DynamoDB, f.org, f.ws, workspace.SettingsPatch{
		MonthlyCap: ptr(pricing.NanoUSD(0)), AllowedModels: &[]string{}, AlertThresholds: &[]int{}, RedactAfterDays: ptr(int64(1)),
		EvalMonthlyCap: ptr(pricing.NanoUSD(0)), ShadowSamplePercent: ptr(int64(0))})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, want) {
		t.Fatalf("second before: %+v", before)
	}
	want.MonthlyCap, want.AllowedModels, want.AlertThresholds, want.RedactAfterDays = 0, nil, nil, 1
	want.EvalMonthlyCap, want.ShadowSamplePercent = workspace.DefaultEvalMonthlyCap, 0 // 0 is the default budget
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("second after:\n got %+v\nwant %+v", after, want)
	}
	if snap, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws); err != nil || !reflect.DeepEqual(snap.Settings, want) {
		t.Fatalf("Load after clearing: %+v %v", snap, err)
	}
	// An empty patch writes nothing and reports the settings as they are.
	if b, a, err := f.st.UpdateSettings(f.ctx, f.sc.DynamoDB, f.org, f.ws, workspace.SettingsPatch{}); err != nil ||
		!reflect.DeepEqual(b, want) || !reflect.DeepEqual(a, want) {
		t.Fatalf("empty patch: %+v %+v %v", b, a, err)
	}
}

// Twenty concurrent patches, each of one field to a value no other uses:
// every one lands, and their before/after pairs chain into one serial
// history from the initial settings to the final ones.
func TestUpdateSettingsConcurrentLosesNothing(t *testing.T) {
	f := newFixture(t)
	initial, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	patch := func(i int) workspace.SettingsPatch {
		v := int64(i)
		switch i % 8 {
		case 0:
			return workspace.SettingsPatch{MonthlyCap: ptr(pricing.NanoUSD(1000 + v))}
		case 1:
			return workspace.SettingsPatch{RPM: ptr(10 + v)}
		case 2:
			return workspace.SettingsPatch{TPM: ptr(1000 + v)}
		case 3:
			return workspace.SettingsPatch{MaxOutputTokens: ptr(100 + v)}
		case 4:
			return workspace.SettingsPatch{AllowedModels: &[]string{fmt.Sprintf("mock/m-%d", i)}}
		case 5:
			return workspace.SettingsPatch{RedactAfterDays: ptr(1 + v)}
		case 6:
			return workspace.SettingsPatch{RetentionDays: ptr(100 + v)}
		default:
			return workspace.SettingsPatch{AlertThresholds: &[]int{i + 1}}
		}
	}
	const n = 20
	type result struct{ before, after workspace.Settings }
	results := make([]result, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i].before, results[i].after, errs[i] = f.st.UpdateSettings(f.ctx, f.sc.DynamoDB, f.org, f.ws, patch(i))
		}()
	}
	close(start)
	wg.Wait()
	next := map[string]string{}
	key := func(s workspace.Settings) string { return fmt.Sprintf("%+v", s) }
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("patch %d: %v", i, errs[i])
		}
		if _, dup := next[key(r.before)]; dup {
			t.Fatalf("two patches started from the same state: %s", key(r.before))
		}
		next[key(r.before)] = key(r.after)
	}
	state := key(initial.Settings)
	for range n {
		s, ok := next[state]
		if !ok {
			t.Fatalf("the patches do not chain from the initial settings; stuck at %s", state)
		}
		state = s
	}
	final, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || key(final.Settings) != state {
		t.Fatalf("final settings %+v (%v), want the chain's end %s", final.Settings, err, state)
	}
	for i := range n { // each field holds the value of one of its writers, never the initial one
		st := final.Settings
		switch i % 8 {
		case 0:
			if st.MonthlyCap < 1000 {
				t.Fatalf("monthly cap lost: %+v", st)
			}
		case 1:
			if st.RPM < 10 {
				t.Fatalf("rpm lost: %+v", st)
			}
		case 2:
			if st.TPM < 1000 {
				t.Fatalf("tpm lost: %+v", st)
			}
		case 3:
			if st.MaxOutputTokens < 100 {
				t.Fatalf("max output lost: %+v", st)
			}
		case 4:
			if len(st.AllowedModels) != 1 {
				t.Fatalf("allowed models lost: %+v", st)
			}
		case 5:
			if st.RedactAfterDays == 30 {
				t.Fatalf("redaction lost: %+v", st)
			}
		case 6:
			if st.RetentionDays < 100 {
				t.Fatalf("retention lost: %+v", st)
			}
		default:
			if len(st.AlertThresholds) != 1 {
				t.Fatalf("alert thresholds lost: %+v", st)
			}
		}
	}
}
