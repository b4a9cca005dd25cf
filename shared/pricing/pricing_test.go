package pricing

import (
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

func TestCostIsExactIntegerAndRoundsUp(t *testing.T) {
	p := Price{Input: 150_000, CachedRead: 75_000, CacheWrite: 187_500, Output: 600_000, MaxOutput: 100}
	cases := []struct {
		name string
		u    chat.Usage
		want NanoUSD
	}{
		{"zero", chat.Usage{}, 0},
		{"one input token", chat.Usage{PromptTokens: 1}, 150},
		{"million in, million out", chat.Usage{PromptTokens: 1_000_000, CompletionTokens: 1_000_000}, 750_000_000},
		{"cached part", chat.Usage{PromptTokens: 1000, PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: 400}}, 600*150 + 400*75},
		{"cache write", chat.Usage{PromptTokens: 1000, PromptTokensDetails: &chat.PromptTokensDetails{CacheCreationTokens: 1000}}, 187_500},
		{"fraction rounds up", chat.Usage{PromptTokens: 1}, 150},
	}
	for _, c := range cases {
		if got := p.Cost(c.u); got != c.want {
			t.Errorf("%s: got %d want %d", c.name, got, c.want)
		}
	}
	tiny := Price{Input: 1, Output: 1, MaxOutput: 1}
	if got := tiny.Cost(chat.Usage{PromptTokens: 1}); got != 1 {
		t.Errorf("sub-nano cost must round up to 1, got %d", got)
	}
}

func TestWorstCaseBoundsEveryCost(t *testing.T) {
	p := Price{Input: 3_000_000, CachedRead: 300_000, CacheWrite: 3_750_000, Output: 15_000_000, MaxOutput: 100}
	worst := p.WorstCase(1000, 100)
	for _, u := range []chat.Usage{
		{PromptTokens: 1000, CompletionTokens: 100},
		{PromptTokens: 1000, CompletionTokens: 100, PromptTokensDetails: &chat.PromptTokensDetails{CacheCreationTokens: 1000}},
		{PromptTokens: 1000, CompletionTokens: 100, PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: 500, CacheCreationTokens: 500}},
	} {
		if c := p.Cost(u); c > worst {
			t.Errorf("cost %d exceeds worst case %d for %+v", c, worst, u)
		}
	}
}

func TestValidateRefusesInsanePrices(t *testing.T) {
	good := Price{Input: 1, Output: 1, MaxOutput: 10}
	bad := map[string]Price{
		"negative":       {Input: -1, Output: 1, MaxOutput: 10},
		"absurd":         {Input: MaxPricePerMillion + 1, Output: 1, MaxOutput: 10},
		"free":           {MaxOutput: 10},
		"no ceiling":     {Input: 1, Output: 1},
		"absurd ceiling": {Input: 1, Output: 1, MaxOutput: MaxOutputCeiling + 1},
	}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, p := range bad {
		if p.Validate() == nil {
			t.Errorf("%s accepted", name)
		}
		if _, err := NewTable(map[string]Price{"x/y": p}); err == nil {
			t.Errorf("%s accepted as override", name)
		}
	}
	for k, p := range builtin {
		if err := p.Validate(); err != nil {
			t.Errorf("built-in %s: %v", k, err)
		}
	}
}

func TestLookup(t *testing.T) {
	tab, err := NewTable(map[string]Price{"openai/gpt-4o": {Input: 1, Output: 2, MaxOutput: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := tab.Lookup("openai", "gpt-4o"); p.Input != 1 {
		t.Fatal("override ignored")
	}
	if p, ok := tab.Lookup("openai", "gpt-4o-mini-2024-07-18"); !ok || p.Input != 150_000 {
		t.Fatal("dated snapshot not priced as its family")
	}
	if _, ok := tab.Lookup("vllm", "my-finetune"); ok {
		t.Fatal("unknown model priced")
	}
}

func TestPromptTokenBoundIsAnUpperBound(t *testing.T) {
	req := &chat.Request{Messages: []chat.Message{
		{Role: "system", Content: chat.TextContent("you are terse")},
		{Role: "user", Content: chat.Content{IsParts: true, Parts: []chat.Part{{Type: "text", Text: "héllo wörld"}, {Type: "image_url", ImageURL: &chat.ImageURL{URL: "data:"}}}}},
	}}
	got := PromptTokenBound(req)
	bytes := int64(len("you are terse") + len("héllo wörld"))
	if got < bytes+perImageTokens {
		t.Fatalf("bound %d below the byte count plus image", got)
	}
}

func TestUSD(t *testing.T) {
	if s := NanoUSD(1_500_000_001).USD(); s != "$1.500000001" {
		t.Fatal(s)
	}
	if s := NanoUSD(-5).USD(); s != "-$0.000000005" {
		t.Fatal(s)
	}
}
