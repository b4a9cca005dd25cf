package workspace

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// SettingsPatch changes some of a workspace's settings: a nil field is left
// as it is, so a caller changing the budget cannot clobber a rate limit set
// by someone else at the same moment. An empty slice clears a list.
type SettingsPatch struct {
	MonthlyCap                *pricing.NanoUSD
	RPM, TPM, MaxOutputTokens *int64
	AllowedModels             *[]string
	StoreContentAllowed       *bool
	RedactAfterDays           *int64
	RetentionDays             *int64
	AlertThresholds           *[]int
	EvalMonthlyCap            *pricing.NanoUSD
	ShadowSamplePercent       *int64
	MarginBP                  *int64
}

var errWorkspaceNotFound = apperr.New(apperr.NotFound, "workspace_not_found", "no such workspace")

// UpdateSettings applies p to workspace ws's settings and returns them as
// they were and as they are now (defaults filled in, as Load shows them),
// for the audit log. The write is conditional on the settings being
// unchanged since they were read and is re-planned when they were not, so
// concurrent patches of different fields all land and the cross-field rule
// redact_after_days <= retention_days always holds. It invalidates this
// instance's cached snapshot; other instances see the change within CacheTTL.
func (s *Store) UpdateSettings(ctx context.Context, db AdminDB, org, ws string, p SettingsPatch) (before, after Settings, err error) {
	if err := p.validate(); err != nil {
		return Settings{}, Settings{}, err
	}
	defer s.Invalidate(org, ws)
	old, cur, err := s.revUpdate(ctx, db, "update settings", PK(org, ws), skSettings, errWorkspaceNotFound, func(old map[string]types.AttributeValue) (change, error) {
		st, err := decodeSettings(old)
		if err != nil {
			return change{}, err
		}
		return p.plan(st)
	})
	if err != nil {
		return Settings{}, Settings{}, err
	}
	if before, err = decodeSettings(old); err != nil {
		return Settings{}, Settings{}, err
	}
	if after, err = decodeSettings(cur); err != nil {
		return Settings{}, Settings{}, err
	}
	return before, after, nil
}

func decodeSettings(item map[string]types.AttributeValue) (Settings, error) {
	var si settingsItem
	if err := attributevalue.UnmarshalMap(item, &si); err != nil {
		return Settings{}, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
	}
	return settingsFromItem(si), nil
}

// validate checks each field on its own; plan checks the fields together.
func (p SettingsPatch) validate() error {
	for _, err := range []error{
		checkCap(p.MonthlyCap),
		checkRange(p.RPM, 0, MaxRate, "invalid_rpm", "rpm"),
		checkRange(p.TPM, 0, MaxRate, "invalid_tpm", "tpm"),
		checkRange(p.MaxOutputTokens, 0, MaxOutputTokensCap, "invalid_max_output_tokens", "max_output_tokens"),
		checkAllowedModels(p.AllowedModels),
		checkRange(p.RetentionDays, 1, MaxRetentionDays, "invalid_retention_days", "retention_days"),
		checkRange(p.RedactAfterDays, 1, MaxRetentionDays, "invalid_redact_after_days", "redact_after_days"),
		checkThresholds(p.AlertThresholds),
		checkEvalCap(p.EvalMonthlyCap),
		checkRange(p.ShadowSamplePercent, 0, 100, "invalid_shadow_sample_pct", "shadow_sample_pct"),
		checkRange(p.MarginBP, 1, MaxMarginBP, "invalid_noninferiority_margin", "noninferiority_margin_bp"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// plan turns the patch into a change of the settings st as read, refusing
// a redaction later than the retention it would leave.
func (p SettingsPatch) plan(st Settings) (change, error) {
	redact, retain := st.RedactAfterDays, st.RetentionDays
	if p.RedactAfterDays != nil {
		redact = *p.RedactAfterDays
	}
	if p.RetentionDays != nil {
		retain = *p.RetentionDays
	}
	if (p.RedactAfterDays != nil || p.RetentionDays != nil) && redact > retain {
		if p.RedactAfterDays != nil {
			return change{}, invalid("invalid_redact_after_days", "redact_after_days",
				"redact_after_days must be within 1 and retention_days ("+strconv.FormatInt(retain, 10)+")")
		}
		return change{}, invalid("invalid_retention_days", "retention_days",
			"retention_days must not be below redact_after_days ("+strconv.FormatInt(redact, 10)+")")
	}
	var ch change
	if p.MonthlyCap != nil {
		ch.put("monthly_cap_nano", int64(*p.MonthlyCap))
	}
	for attr, v := range map[string]*int64{"rpm": p.RPM, "tpm": p.TPM, "max_output_tokens": p.MaxOutputTokens,
		"redact_after_days": p.RedactAfterDays, "retention_days": p.RetentionDays} {
		if v != nil {
			ch.put(attr, *v)
		}
	}
	if p.EvalMonthlyCap != nil {
		ch.put("eval_monthly_cap_nano", int64(*p.EvalMonthlyCap))
	}
	if p.ShadowSamplePercent != nil {
		ch.put("shadow_sample_pct", *p.ShadowSamplePercent)
	}
	if p.MarginBP != nil {
		ch.put("noninferiority_margin_bp", *p.MarginBP)
	}
	if p.StoreContentAllowed != nil {
		ch.put("store_content_allowed", *p.StoreContentAllowed)
	}
	// Empty lists are removed, as the item's omitempty writer leaves them.
	if p.AllowedModels != nil {
		if len(*p.AllowedModels) == 0 {
			ch.remove = append(ch.remove, "allowed_models")
		} else {
			ch.put("allowed_models", *p.AllowedModels)
		}
	}
	if p.AlertThresholds != nil {
		if len(*p.AlertThresholds) == 0 {
			ch.remove = append(ch.remove, "alert_thresholds")
		} else {
			ch.put("alert_thresholds", *p.AlertThresholds)
		}
	}
	return ch, nil
}
