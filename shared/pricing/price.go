package pricing

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// NanoUSD is an amount of money in billionths of a US dollar.
type NanoUSD int64

// USD formats n as dollars with nine decimals, for people and logs.
func (n NanoUSD) USD() string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s$%d.%09d", sign, n/1e9, n%1e9)
}

// Price is what one model costs, in micro-USD per million tokens.
type Price struct {
	Input      int64 `json:"input"`
	CachedRead int64 `json:"cached_input"`          // prompt tokens served from the provider's cache
	CacheWrite int64 `json:"cache_write,omitempty"` // prompt tokens written to the cache (Anthropic, Bedrock)
	Output     int64 `json:"output"`                // completion tokens, reasoning included
	// MaxOutput is the model's own ceiling on completion tokens; it bounds
	// the worst-case reservation when a request sets no max_tokens.
	MaxOutput int64 `json:"max_output_tokens"`
}

// Bounds on a configured price: a price above $1,000 per million tokens or an
// output ceiling above 1M tokens is a typo, not a model.
const (
	MaxPricePerMillion = 1_000_000_000 // micro-USD = $1,000
	MaxOutputCeiling   = 1_000_000
)

// Validate refuses prices outside sane bounds.
func (p Price) Validate() error {
	for name, v := range map[string]int64{"input": p.Input, "cached_input": p.CachedRead, "cache_write": p.CacheWrite, "output": p.Output} {
		if v < 0 || v > MaxPricePerMillion {
			return fmt.Errorf("price %s must be within [0, %d] micro-USD per million tokens", name, int64(MaxPricePerMillion))
		}
	}
	if p.Input == 0 && p.Output == 0 {
		return fmt.Errorf("price must charge for input or output")
	}
	if p.MaxOutput <= 0 || p.MaxOutput > MaxOutputCeiling {
		return fmt.Errorf("max_output_tokens must be within [1, %d]", MaxOutputCeiling)
	}
	return nil
}

// tokensCost is ceil(tokens × microPerMillion / 1000) nano-USD: one token at
// one micro-USD per million is 1/1000 nano-USD.
func tokensCost(tokens, microPerMillion int64) NanoUSD {
	if tokens <= 0 || microPerMillion <= 0 {
		return 0
	}
	return NanoUSD((tokens*microPerMillion + 999) / 1000)
}

// Cost is what usage costs at p. Cached and cache-write prompt tokens are
// priced as such; the rest of the prompt at the input price.
func (p Price) Cost(u chat.Usage) NanoUSD {
	var cached, written int64
	if d := u.PromptTokensDetails; d != nil {
		cached, written = d.CachedTokens, d.CacheCreationTokens
	}
	plain := u.PromptTokens - cached - written
	if plain < 0 {
		plain = 0
	}
	cachedPrice, writePrice := p.CachedRead, p.CacheWrite
	if cachedPrice == 0 {
		cachedPrice = p.Input
	}
	if writePrice == 0 {
		writePrice = p.Input
	}
	return tokensCost(plain, p.Input) + tokensCost(cached, cachedPrice) +
		tokensCost(written, writePrice) + tokensCost(u.CompletionTokens, p.Output)
}

// WorstCase is the most a call with promptTokens in and at most
// outputTokens out can cost: every prompt token at the highest prompt price.
func (p Price) WorstCase(promptTokens, outputTokens int64) NanoUSD {
	in := max(p.Input, p.CachedRead, p.CacheWrite)
	return tokensCost(promptTokens, in) + tokensCost(outputTokens, p.Output)
}
