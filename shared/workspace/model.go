package workspace

import (
	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// Provider kinds a connection may have: the adapter that speaks to it.
const (
	KindOpenAI    = "openai"    // OpenAI and any OpenAI-compatible base URL
	KindAzure     = "azure"     // Azure OpenAI deployments
	KindAnthropic = "anthropic" // Anthropic Messages
	KindGemini    = "gemini"    // Google Gemini API
	KindBedrock   = "bedrock"   // Amazon Bedrock Converse
	KindMock      = "mock"      // the built-in deterministic provider
)

// Kinds lists the valid provider kinds.
var Kinds = []string{KindOpenAI, KindAzure, KindAnthropic, KindGemini, KindBedrock, KindMock}

// Connection is a named way to reach a provider with the workspace's key.
// Its name is the first half of a "name/model" target; the built-in
// connection names equal their kinds.
type Connection struct {
	Name       string
	Kind       string
	BaseURL    string
	Region     string
	APIVersion string
	// SealedKey is the provider key, sealed by package secrets with purpose
	// PurposeProviderKey and record KeyRecord(workspace, name).
	SealedKey string
	// SealedAWSSecret holds Bedrock's secret access key when the connection
	// uses AWS credentials (AccessKeyID is not secret).
	AccessKeyID     string
	SealedAWSSecret string
	Last4           string
	Fingerprint     string
}

// PurposeProviderKey is the secrets purpose of provider keys.
const PurposeProviderKey = "provider-key"

// KeyRecord is the secrets record of a connection's key.
func KeyRecord(workspace, connection string) string { return workspace + "/" + connection }

// Target is one "connection/model" an alias routes to.
type Target struct {
	Connection string
	Model      string
}

// String renders the target as "connection/model".
func (t Target) String() string { return t.Connection + "/" + t.Model }

// Alias is a workspace's named route: targets in fallback order.
type Alias struct {
	Name    string
	Version int64
	Targets []Target
}

// Settings are a workspace's limits and content policy.
type Settings struct {
	Name string
	// MonthlyCap is the workspace's spend cap; 0 means none.
	MonthlyCap pricing.NanoUSD
	RPM, TPM   int64
	// MaxOutputTokens caps every call's output ceiling; 0 means the model's own.
	MaxOutputTokens int64
	// AllowedModels restricts targets ("connection/model" or an alias name);
	// empty allows every model the workspace can reach.
	AllowedModels []string
	// StoreContentAllowed lets requests that opt in keep prompt and response
	// text (sealed); off by default.
	StoreContentAllowed bool
	RedactAfterDays     int64 // default 30
	RetentionDays       int64 // default 90
	// AlertThresholds are the percentages of MonthlyCap at which spend
	// alerts fire, ascending; empty means no alerts.
	AlertThresholds []int
	// EvalMonthlyCap bounds what evaluations of the workspace may spend in
	// a month, inside MonthlyCap; DefaultEvalMonthlyCap when unset.
	EvalMonthlyCap pricing.NanoUSD
	// ShadowSamplePercent of alias calls keep their request and answer,
	// sealed, until an evaluation scores them; 0 (the default) keeps none.
	ShadowSamplePercent int64
	// MarginBP is the non-inferiority margin δ, in basis points of the
	// [0,1] score scale, a cheaper model's evaluation must clear before it
	// is recommended; DefaultMarginBP when unset.
	MarginBP int64
}

// DefaultMarginBP is the non-inferiority margin until a workspace sets one:
// 500 basis points, δ = 0.05 (a candidate may score at most five points
// lower on a 0-100 scale).
const DefaultMarginBP = 500

// MaxMarginBP bounds the margin: a candidate allowed to be more than half
// the score scale worse is not "non-inferior" in any useful sense.
const MaxMarginBP = 5000

// DefaultEvalMonthlyCap is a workspace's evaluation budget until it sets
// one: $10 a month.
const DefaultEvalMonthlyCap pricing.NanoUSD = 10_000_000_000

// Org holds the org-level settings the gateway needs.
type Org struct {
	Name           string
	MonthlyCap     pricing.NanoUSD
	PriceOverrides map[string]pricing.Price
	// AlertThresholds are the percentages of MonthlyCap at which spend
	// alerts fire, ascending; empty means no alerts.
	AlertThresholds []int
}

// Snapshot is everything the gateway needs about one workspace, immutable
// once loaded.
type Snapshot struct {
	Org         string
	Workspace   string
	OrgSettings Org
	Settings    Settings
	Aliases     map[string]Alias
	Connections map[string]Connection
	Prices      *pricing.Table
}
