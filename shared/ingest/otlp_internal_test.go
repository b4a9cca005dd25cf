package ingest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOTLPID(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
		ok   bool
	}{
		{"5B8EFFF798038103D269B633813FC60C", 16, "5b8efff798038103d269b633813fc60c", true},
		{"CvdlGRbNQ92ESOshHIAxnA==", 16, "0af7651916cd43dd8448eb211c80319c", true}, // base64, protobuf JSON mapping
		{"00f067aa0ba902b7", 8, "00f067aa0ba902b7", true},
		{"00000000000000000000000000000000", 16, "", false}, // invalid per the spec
		{"00f067aa0ba902b7", 16, "", false},
		{"zzf067aa0ba902b7", 8, "", false},
		{"", 8, "", false},
	}
	for _, c := range cases {
		got, ok := otlpID(c.in, c.n)
		if got != c.want || ok != c.ok {
			t.Errorf("otlpID(%q, %d) = %q, %v; want %q, %v", c.in, c.n, got, ok, c.want, c.ok)
		}
	}
}

func TestAttrInt(t *testing.T) {
	cases := []struct {
		value string
		want  int64
		code  string
	}{
		{`{"intValue":"42"}`, 42, ""},
		{`{"intValue":42}`, 42, ""},
		{`{"doubleValue":12.0}`, 12, ""},
		{`{"stringValue":"7"}`, 7, ""},
		{`{"doubleValue":1.5}`, 0, "invalid_field"},
		{`{"stringValue":"many"}`, 0, "invalid_field"},
		{`{"boolValue":true}`, 0, "invalid_field"},
	}
	for _, c := range cases {
		var v anyValue
		if err := json.Unmarshal([]byte(c.value), &v); err != nil {
			t.Fatal(err)
		}
		got, rej := attrs{"k": v}.int("tokens_in", "k")
		switch {
		case c.code != "" && (rej == nil || rej.Code != c.code || rej.Param != "tokens_in"):
			t.Errorf("%s: rejection %v, want %s", c.value, rej, c.code)
		case c.code == "" && (rej != nil || got == nil || *got != c.want):
			t.Errorf("%s: got %v %v, want %d", c.value, got, rej, c.want)
		}
	}
	if got, rej := (attrs{}).int("tokens_in", "k"); got != nil || rej != nil {
		t.Errorf("absent attribute read as %v %v", got, rej)
	}
}

func TestModelCall(t *testing.T) {
	str := func(s string) anyValue { return anyValue{StringValue: &s} }
	cases := []struct {
		name string
		a    attrs
		want bool
	}{
		{"openllmetry chat", attrs{"gen_ai.system": str("OpenAI"), "gen_ai.request.model": str("gpt-4o")}, true},
		{"semconv usage only", attrs{"gen_ai.usage.input_tokens": str("3")}, true},
		{"http client", attrs{"http.request.method": str("POST")}, false},
		{"tool", attrs{"gen_ai.operation.name": str("execute_tool"), "gen_ai.request.model": str("gpt-4o")}, false},
		{"agent", attrs{"gen_ai.operation.name": str("invoke_agent"), "gen_ai.usage.input_tokens": str("9")}, false},
		{"conversation only", attrs{"gen_ai.conversation.id": str("c1")}, false},
	}
	for _, c := range cases {
		if got := c.a.modelCall(); got != c.want {
			t.Errorf("%s: modelCall = %v", c.name, got)
		}
	}
}

// TestDecodeRejectionNeverEchoesValues: a rejection names the field, never
// the value sent, which may be anything.
func TestDecodeRejectionNeverEchoesValues(t *testing.T) {
	const secret = "sk-live-SECRETVALUE"
	for _, raw := range []string{
		`{"tokens_in":"` + secret + `"}`,
		`{"tags":{"k":["` + secret + `"]}}`,
		`{"tags":{"` + secret + `":1}}`,
		`{"` + secret + ` x":1}`,
		`{"id":` + secret + `}`,
	} {
		_, rej := decodeEvent(json.RawMessage(raw))
		if rej == nil {
			t.Fatalf("%s accepted", raw)
		}
		if strings.Contains(rej.Message, "SECRET") || strings.Contains(rej.Param, "SECRET") {
			t.Fatalf("rejection echoes the value: %+v", rej)
		}
	}
}

func TestNormalizeProvider(t *testing.T) {
	for in, want := range map[string]string{
		"OpenAI": "openai", "Anthropic": "anthropic", "aws.bedrock": "bedrock", "gcp.vertex_ai": "gemini",
		"gcp.gemini": "gemini", "azure.ai.openai": "azure", " Mistral_AI ": "mistral_ai",
	} {
		if got := normalizeProvider(in); got != want {
			t.Errorf("normalizeProvider(%q) = %q, want %q", in, got, want)
		}
	}
}
