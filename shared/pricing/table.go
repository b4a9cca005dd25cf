package pricing

import "strings"

// Version names the built-in price table. Bump it with every price change so
// traces and recommendations can say which prices they used.
const Version = "2026-11-01"

// builtin holds list prices as published by each provider on Version's date
// (standard tier, on-demand, text tokens, first context tier).
var builtin = map[string]Price{
	// OpenAI
	"openai/gpt-4o":       {Input: 2_500_000, CachedRead: 1_250_000, Output: 10_000_000, MaxOutput: 16_384},
	"openai/gpt-4o-mini":  {Input: 150_000, CachedRead: 75_000, Output: 600_000, MaxOutput: 16_384},
	"openai/gpt-4.1":      {Input: 2_000_000, CachedRead: 500_000, Output: 8_000_000, MaxOutput: 32_768},
	"openai/gpt-4.1-mini": {Input: 400_000, CachedRead: 100_000, Output: 1_600_000, MaxOutput: 32_768},
	"openai/gpt-4.1-nano": {Input: 100_000, CachedRead: 25_000, Output: 400_000, MaxOutput: 32_768},
	"openai/o4-mini":      {Input: 1_100_000, CachedRead: 275_000, Output: 4_400_000, MaxOutput: 100_000},
	"openai/gpt-5":        {Input: 1_250_000, CachedRead: 125_000, Output: 10_000_000, MaxOutput: 128_000},
	"openai/gpt-5-mini":   {Input: 250_000, CachedRead: 25_000, Output: 2_000_000, MaxOutput: 128_000},
	"openai/gpt-5-nano":   {Input: 50_000, CachedRead: 5_000, Output: 400_000, MaxOutput: 128_000},
	// Anthropic
	"anthropic/claude-opus-4-1":   {Input: 15_000_000, CachedRead: 1_500_000, CacheWrite: 18_750_000, Output: 75_000_000, MaxOutput: 32_000},
	"anthropic/claude-sonnet-4-5": {Input: 3_000_000, CachedRead: 300_000, CacheWrite: 3_750_000, Output: 15_000_000, MaxOutput: 64_000},
	"anthropic/claude-haiku-4-5":  {Input: 1_000_000, CachedRead: 100_000, CacheWrite: 1_250_000, Output: 5_000_000, MaxOutput: 64_000},
	"anthropic/claude-3-5-haiku":  {Input: 800_000, CachedRead: 80_000, CacheWrite: 1_000_000, Output: 4_000_000, MaxOutput: 8_192},
	// Google Gemini
	"gemini/gemini-2.5-pro":        {Input: 1_250_000, CachedRead: 125_000, Output: 10_000_000, MaxOutput: 65_536},
	"gemini/gemini-2.5-flash":      {Input: 300_000, CachedRead: 30_000, Output: 2_500_000, MaxOutput: 65_536},
	"gemini/gemini-2.5-flash-lite": {Input: 100_000, CachedRead: 10_000, Output: 400_000, MaxOutput: 65_536},
	// Amazon Bedrock (us-east-1 on-demand)
	"bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0": {Input: 3_000_000, CachedRead: 300_000, CacheWrite: 3_750_000, Output: 15_000_000, MaxOutput: 64_000},
	"bedrock/amazon.nova-pro-v1:0":                      {Input: 800_000, CachedRead: 200_000, Output: 3_200_000, MaxOutput: 10_000},
	"bedrock/amazon.nova-lite-v1:0":                     {Input: 60_000, CachedRead: 15_000, Output: 240_000, MaxOutput: 10_000},
	"bedrock/amazon.nova-micro-v1:0":                    {Input: 35_000, CachedRead: 8_750, Output: 140_000, MaxOutput: 10_000},
	// The built-in mock provider is priced like real models of comparable
	// size (mock-large as gpt-4o, mock-small as gpt-4o-mini, mock-medium
	// between them) so budgets, evaluations and savings behave
	// realistically offline.
	"mock/mock-large":  {Input: 2_500_000, CachedRead: 1_250_000, Output: 10_000_000, MaxOutput: 4_096},
	"mock/mock-medium": {Input: 500_000, CachedRead: 250_000, Output: 2_000_000, MaxOutput: 4_096},
	"mock/mock-small":  {Input: 150_000, CachedRead: 75_000, Output: 600_000, MaxOutput: 4_096},
	"mock/mock-tiny":   {Input: 50_000, CachedRead: 25_000, Output: 200_000, MaxOutput: 4_096},
}

// Table resolves prices: an org's overrides first, then the built-in table.
// A Table is immutable once built and safe for concurrent use.
type Table struct {
	overrides map[string]Price
}

// NewTable returns a table with the given per-org overrides, keyed
// "provider/model". Every override must pass Validate.
func NewTable(overrides map[string]Price) (*Table, error) {
	t := &Table{overrides: make(map[string]Price, len(overrides))}
	for k, p := range overrides {
		if err := p.Validate(); err != nil {
			return nil, err
		}
		t.overrides[strings.ToLower(k)] = p
	}
	return t, nil
}

// Lookup returns the price of provider/model. For OpenAI-compatible
// upstreams whose model is not in the table, ok is false: the caller must
// refuse (or flag) rather than price it as zero.
func (t *Table) Lookup(provider, model string) (Price, bool) {
	key := strings.ToLower(provider + "/" + model)
	if t != nil {
		if p, ok := t.overrides[key]; ok {
			return p, true
		}
	}
	p, ok := builtin[key]
	if !ok {
		// Dated snapshots share their family's price: gpt-4o-2024-08-06 → gpt-4o.
		if base, found := trimDateSuffix(key); found {
			p, ok = builtin[base]
		}
	}
	return p, ok
}

// Models lists the built-in and overridden model keys.
func (t *Table) Models() []string {
	seen := map[string]bool{}
	var out []string
	for k := range builtin {
		seen[k] = true
		out = append(out, k)
	}
	if t != nil {
		for k := range t.overrides {
			if !seen[k] {
				out = append(out, k)
			}
		}
	}
	return out
}

// trimDateSuffix strips a trailing -YYYY-MM-DD or -YYYYMMDD snapshot date.
func trimDateSuffix(key string) (string, bool) {
	for _, n := range []int{11, 9} { // "-2024-08-06", "-20241022"
		if len(key) > n {
			suffix := key[len(key)-n:]
			if suffix[0] == '-' && isDate(suffix[1:]) {
				return key[:len(key)-n], true
			}
		}
	}
	return "", false
}

func isDate(s string) bool {
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '-':
		default:
			return false
		}
	}
	return digits == 8
}
