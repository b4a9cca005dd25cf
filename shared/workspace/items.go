package workspace

import (
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// Sort keys and key builders.
const (
	skOrg        = "ORG"
	skSettings   = "SETTINGS"
	skAliasPre   = "ALIAS#"
	skConnPre    = "CONN#"
	defaultRedac = 30
	defaultRet   = 90
)

// OrgPK is an org's own partition.
func OrgPK(org string) string { return "ORG#" + org }

// PK is a workspace's partition.
func PK(org, ws string) string { return "ORG#" + org + "#WS#" + ws }

type orgItem struct {
	PK             string                   `dynamodbav:"pk"`
	SK             string                   `dynamodbav:"sk"`
	Name           string                   `dynamodbav:"name"`
	MonthlyCap     int64                    `dynamodbav:"monthly_cap_nano"`
	PriceOverrides map[string]pricing.Price `dynamodbav:"price_overrides,omitempty"`
	// AlertThresholds and Rev are written by UpdateOrg; Rev counts its
	// updates so concurrent ones cannot overwrite each other unseen.
	AlertThresholds []int `dynamodbav:"alert_thresholds,omitempty"`
	Rev             int64 `dynamodbav:"rev,omitempty"`
}

type settingsItem struct {
	PK                  string   `dynamodbav:"pk"`
	SK                  string   `dynamodbav:"sk"`
	Name                string   `dynamodbav:"name"`
	MonthlyCap          int64    `dynamodbav:"monthly_cap_nano"`
	RPM                 int64    `dynamodbav:"rpm"`
	TPM                 int64    `dynamodbav:"tpm"`
	MaxOutputTokens     int64    `dynamodbav:"max_output_tokens"`
	AllowedModels       []string `dynamodbav:"allowed_models,omitempty"`
	StoreContentAllowed bool     `dynamodbav:"store_content_allowed"`
	RedactAfterDays     int64    `dynamodbav:"redact_after_days"`
	RetentionDays       int64    `dynamodbav:"retention_days"`
	// AlertThresholds and Rev are written by UpdateSettings; Rev counts its
	// updates so concurrent ones cannot overwrite each other unseen.
	AlertThresholds []int `dynamodbav:"alert_thresholds,omitempty"`
	Rev             int64 `dynamodbav:"rev,omitempty"`
	EvalMonthlyCap  int64 `dynamodbav:"eval_monthly_cap_nano,omitempty"`
	ShadowPercent   int64 `dynamodbav:"shadow_sample_pct,omitempty"`
	MarginBP        int64 `dynamodbav:"noninferiority_margin_bp,omitempty"`
}

type aliasItem struct {
	PK      string   `dynamodbav:"pk"`
	SK      string   `dynamodbav:"sk"`
	Name    string   `dynamodbav:"name"`
	Version int64    `dynamodbav:"version"`
	Targets []string `dynamodbav:"targets"`
}

type connItem struct {
	PK              string `dynamodbav:"pk"`
	SK              string `dynamodbav:"sk"`
	Name            string `dynamodbav:"name"`
	Kind            string `dynamodbav:"kind"`
	BaseURL         string `dynamodbav:"base_url,omitempty"`
	Region          string `dynamodbav:"region,omitempty"`
	APIVersion      string `dynamodbav:"api_version,omitempty"`
	SealedKey       string `dynamodbav:"sealed_key,omitempty"`
	AccessKeyID     string `dynamodbav:"access_key_id,omitempty"`
	SealedAWSSecret string `dynamodbav:"sealed_aws_secret,omitempty"`
	Last4           string `dynamodbav:"last4,omitempty"`
	Fingerprint     string `dynamodbav:"fingerprint,omitempty"`
}

// ParseTarget splits "connection/model". Model names may themselves hold
// slashes (Together's "meta-llama/Llama-3-8b"), so only the first counts.
func ParseTarget(s string) (Target, bool) {
	conn, model, ok := strings.Cut(s, "/")
	if !ok || conn == "" || model == "" {
		return Target{}, false
	}
	return Target{Connection: conn, Model: model}, true
}

// aliasVersionItem is one kept version of an alias, written with the
// current item by SaveAlias; see aliases.go for its partition.
type aliasVersionItem struct {
	PK      string    `dynamodbav:"pk"`
	SK      string    `dynamodbav:"sk"`
	Name    string    `dynamodbav:"name"`
	Version int64     `dynamodbav:"version"`
	Targets []string  `dynamodbav:"targets"`
	Actor   string    `dynamodbav:"actor"`
	Time    time.Time `dynamodbav:"created_at"`
	Cites   string    `dynamodbav:"cites,omitempty"`
}
