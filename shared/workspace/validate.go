package workspace

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// Limits on settings. Each bounds a value well beyond any real need so a
// typo or an overflow is refused instead of silently disabling a control.
const (
	MaxMonthlyCap      pricing.NanoUSD = 1_000_000_000_000_000_000 // $1bn; 0 means no cap
	MaxRate                            = 1_000_000_000             // RPM and TPM; 0 means no limit
	MaxOutputTokensCap                 = 10_000_000                // 0 means the model's own ceiling
	MaxAllowedModels                   = 100
	MaxModelNameBytes                  = 200
	MaxRetentionDays                   = 3650
	MaxAlertThresholds                 = 5
)

func invalid(code, param, msg string) *apperr.Error {
	return apperr.New(apperr.Invalid, code, msg).WithParam(param)
}

func checkCap(v *pricing.NanoUSD) error {
	if v != nil && (*v < 0 || *v > MaxMonthlyCap) {
		return invalid("invalid_monthly_cap", "monthly_cap",
			"monthly_cap must be within 0 (no cap) and "+strconv.FormatInt(int64(MaxMonthlyCap), 10)+" nano-USD")
	}
	return nil
}

func checkEvalCap(v *pricing.NanoUSD) error {
	if v != nil && (*v < 0 || *v > MaxMonthlyCap) {
		return invalid("invalid_eval_monthly_cap", "eval_monthly_cap_nano",
			"eval_monthly_cap_nano must be within 0 (the default) and "+strconv.FormatInt(int64(MaxMonthlyCap), 10)+" nano-USD")
	}
	return nil
}

func checkRange(v *int64, lo, hi int64, code, param string) error {
	if v != nil && (*v < lo || *v > hi) {
		return invalid(code, param, param+" must be within "+strconv.FormatInt(lo, 10)+" and "+strconv.FormatInt(hi, 10))
	}
	return nil
}

// checkThresholds requires at most five distinct percentages 1..100 in
// ascending order, so alerting never has to guess at the intended order.
func checkThresholds(v *[]int) error {
	if v == nil {
		return nil
	}
	bad := invalid("invalid_alert_thresholds", "alert_thresholds",
		"alert_thresholds must be at most 5 distinct percentages within 1 and 100, in ascending order")
	if len(*v) > MaxAlertThresholds {
		return bad
	}
	prev := 0
	for _, p := range *v {
		if p < 1 || p > 100 || p <= prev {
			return bad
		}
		prev = p
	}
	return nil
}

// checkAllowedModels accepts up to 100 distinct names, each a
// "connection/model", an alias or a bare model name the gateway matches
// literally, so each must be printable text without spaces.
func checkAllowedModels(v *[]string) error {
	if v == nil {
		return nil
	}
	if len(*v) > MaxAllowedModels {
		return invalid("invalid_allowed_models", "allowed_models", "allowed_models holds at most 100 entries")
	}
	seen := make(map[string]bool, len(*v))
	for _, m := range *v {
		if !validModelText(m) {
			return invalid("invalid_allowed_models", "allowed_models",
				"each allowed model must be 1-200 bytes of text without spaces or control characters")
		}
		if seen[m] {
			return invalid("invalid_allowed_models", "allowed_models", "allowed_models lists "+m+" twice")
		}
		seen[m] = true
	}
	return nil
}

// validModelText reports whether s can name a model: 1-200 bytes of valid
// UTF-8 with no whitespace or control characters.
func validModelText(s string) bool {
	if s == "" || len(s) > MaxModelNameBytes || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}
