package anthropic

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

func TestRequestGolden(t *testing.T) {
	cases := []struct {
		name   string
		stream bool
	}{
		{"system_multiturn", false},
		{"single_system", true},
		{"tools", false},
		{"tool_choice_named", false},
		{"multimodal", false},
		{"response_format", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r chat.Request
			if err := json.Unmarshal(fixture(t, "requests/"+c.name+".json"), &r); err != nil {
				t.Fatal(err)
			}
			w, err := toWire(&r, DefaultMaxTokens, c.stream)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "requests/"+c.name+".golden.json", w)
		})
	}
}

func TestRequestAlternatesRoles(t *testing.T) {
	var r chat.Request
	if err := json.Unmarshal(fixture(t, "requests/tools.json"), &r); err != nil {
		t.Fatal(err)
	}
	w, err := toWire(&r, DefaultMaxTokens, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(w.Messages); i++ {
		if w.Messages[i].Role == w.Messages[i-1].Role {
			t.Fatalf("turns %d and %d are both %s", i-1, i, w.Messages[i].Role)
		}
	}
	last := w.Messages[len(w.Messages)-1]
	if last.Role != "user" || len(last.Content) != 3 || last.Content[0].Type != "tool_result" ||
		last.Content[1].Type != "tool_result" || last.Content[2].Type != "text" {
		t.Fatalf("tool results and the follow-up should form one user turn, results first: %+v", last)
	}
}

func TestDefaultMaxTokensOption(t *testing.T) {
	r := &chat.Request{Model: "m", Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}}}
	w, err := toWire(r, 512, false)
	if err != nil || w.MaxTokens != 512 {
		t.Fatalf("got %d, %v", w.MaxTokens, err)
	}
	srv := newUpstream(t, serve(200, nil))
	if p := New(srv.Client(), Options{}); p.maxTokens != DefaultMaxTokens {
		t.Fatalf("default max tokens %d", p.maxTokens)
	}
}

func TestRequestRefusesWhatAnthropicCannotDo(t *testing.T) {
	cases := []struct {
		name, req   string
		code, param string
	}{
		{"n above one", `{"n":2}`, "unsupported_parameter", "n"},
		{"json_object", `{"response_format":{"type":"json_object"}}`, "unsupported_parameter", "response_format"},
		{"json_schema without schema", `{"response_format":{"type":"json_schema","json_schema":{"name":"x"}}}`, "invalid_value", "response_format.json_schema"},
		{"temperature above one", `{"temperature":1.5}`, "unsupported_value", "temperature"},
		{"zero max_tokens", `{"max_tokens":0}`, "invalid_value", "max_tokens"},
		{"negative max_completion_tokens", `{"max_completion_tokens":-1}`, "invalid_value", "max_completion_tokens"},
		{"invalid tool arguments", `{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}]}`,
			"invalid_tool_arguments", "messages[1].tool_calls[0].function.arguments"},
		{"array tool arguments", `{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"[1]"}}]}]}`,
			"invalid_tool_arguments", "messages[1].tool_calls[0].function.arguments"},
		{"null tool arguments", `{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"null"}}]}]}`,
			"invalid_tool_arguments", "messages[1].tool_calls[0].function.arguments"},
		{"tool call without id", `{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}`,
			"invalid_value", "messages[1].tool_calls[0]"},
		{"tool message without id", `{"messages":[{"role":"user","content":"x"},{"role":"tool","content":"42"}]}`, "invalid_value", "messages[1].tool_call_id"},
		{"unknown role", `{"messages":[{"role":"narrator","content":"x"}]}`, "invalid_value", "messages[0].role"},
		{"no turns", `{"messages":[{"role":"system","content":"x"},{"role":"user","content":""}]}`, "invalid_value", "messages"},
		{"audio part", `{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]}`, "unsupported_content", "messages[0].content[0]"},
		{"image in system", `{"messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},{"role":"user","content":"x"}]}`, "unsupported_content", "messages[0].content[0]"},
		{"image in assistant turn", `{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}`, "unsupported_content", "messages[1].content[0]"},
		{"data URI not base64", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,rawbytes"}}]}]}`, "invalid_image_url", "messages[0].content[0]"},
		{"unsupported image type", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}]}`, "invalid_image_url", "messages[0].content[0]"},
		{"ftp image", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://example.com/a.png"}}]}]}`, "invalid_image_url", "messages[0].content[0]"},
		{"image without url", `{"messages":[{"role":"user","content":[{"type":"image_url"}]}]}`, "invalid_image_url", "messages[0].content[0]"},
		{"file by id", `{"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}`, "unsupported_content", "messages[0].content[0]"},
		{"non-pdf file", `{"messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/csv;base64,YSxi"}}]}]}`, "unsupported_content", "messages[0].content[0]"},
		{"non-function tool", `{"tools":[{"type":"custom","function":{"name":"f"}}]}`, "unsupported_value", "tools[0].type"},
		{"unknown tool_choice", `{"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes"}`, "invalid_value", "tool_choice"},
		{"tool_choice without name", `{"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{}}}`, "invalid_value", "tool_choice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r chat.Request
			if err := json.Unmarshal([]byte(c.req), &r); err != nil {
				t.Fatal(err)
			}
			if r.Messages == nil {
				r.Messages = []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}}
			}
			_, err := toWire(&r, DefaultMaxTokens, false)
			if err == nil {
				t.Fatal("accepted")
			}
			ae := apperr.As(err)
			if ae.Kind != apperr.Invalid || ae.Code != c.code || ae.Param != c.param {
				t.Fatalf("got kind %v code %q param %q (%v)", ae.Kind, ae.Code, ae.Param, err)
			}
		})
	}
}

func TestToolChoiceMapping(t *testing.T) {
	f := false
	tr := true
	cases := []struct {
		raw      string
		parallel *bool
		want     string
	}{
		{``, nil, `null`},
		{`null`, &tr, `null`},
		{``, &f, `{"type":"auto","disable_parallel_tool_use":true}`},
		{`"auto"`, nil, `{"type":"auto"}`},
		{`"none"`, &f, `{"type":"none"}`},
		{`"required"`, nil, `{"type":"any"}`},
		{`"required"`, &f, `{"type":"any","disable_parallel_tool_use":true}`},
		{`{"type":"function","function":{"name":"get_weather"}}`, nil, `{"type":"tool","name":"get_weather"}`},
	}
	for _, c := range cases {
		tc, err := convertToolChoice(json.RawMessage(c.raw), c.parallel)
		if err != nil {
			t.Fatalf("%s: %v", c.raw, err)
		}
		got, _ := json.Marshal(tc)
		if string(got) != c.want {
			t.Errorf("%s: got %s want %s", c.raw, got, c.want)
		}
	}
}

func TestToolChoiceOmittedWithoutTools(t *testing.T) {
	r := chat.Request{Model: "m", Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}},
		ToolChoice: json.RawMessage(`"none"`)}
	w, err := toWire(&r, DefaultMaxTokens, false)
	if err != nil || w.ToolChoice != nil {
		t.Fatalf("got %+v, %v", w.ToolChoice, err)
	}
}

func TestResponseGolden(t *testing.T) {
	for _, name := range []string{"response_text", "response_tool_use", "response_max_tokens"} {
		t.Run(name, func(t *testing.T) {
			var w Response
			if err := json.Unmarshal(fixture(t, name+".json"), &w); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".golden.json", fromWire(&w, testTime.Unix()))
		})
	}
}

func TestResponseConversion(t *testing.T) {
	cases := []struct {
		name      string
		fixture   string
		text      string
		null      bool
		calls     []chat.ToolCall
		finish    string
		usage     chat.Usage
		cached    int64
		cacheMade int64
	}{
		{name: "joined text", fixture: "response_text.json", text: "Hi! My name is Claude. How can I help?",
			finish: chat.FinishStop, usage: chat.Usage{PromptTokens: 2095, CompletionTokens: 503, TotalTokens: 2598}},
		{name: "tool use with cache", fixture: "response_tool_use.json", null: true,
			calls: []chat.ToolCall{{ID: "toolu_01A09q90qw90lq917835lq9", Type: "function",
				Function: chat.FunctionCall{Name: "get_weather", Arguments: `{"location":"San Francisco, CA","unit":"celsius"}`}}},
			finish: chat.FinishToolCalls, usage: chat.Usage{PromptTokens: 4250, CompletionTokens: 40, TotalTokens: 4290},
			cached: 3000, cacheMade: 1200},
		{name: "max tokens", fixture: "response_max_tokens.json", text: "The three primary colors are red,",
			finish: chat.FinishLength, usage: chat.Usage{PromptTokens: 14, CompletionTokens: 8, TotalTokens: 22}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w Response
			if err := json.Unmarshal(fixture(t, c.fixture), &w); err != nil {
				t.Fatal(err)
			}
			r := fromWire(&w, testTime.Unix())
			if r.ID != w.ID || r.Object != "chat.completion" || r.Created != testTime.Unix() || r.Model != w.Model {
				t.Errorf("header fields: %+v", r)
			}
			m := r.Choices[0].Message
			if m.Role != chat.RoleAssistant || m.Content.Text != c.text || m.Content.IsNull != c.null {
				t.Errorf("content: %+v", m.Content)
			}
			gotCalls, _ := json.Marshal(m.ToolCalls)
			wantCalls, _ := json.Marshal(c.calls)
			if string(gotCalls) != string(wantCalls) {
				t.Errorf("tool calls: got %s want %s", gotCalls, wantCalls)
			}
			if r.Choices[0].FinishReason != c.finish {
				t.Errorf("finish %q", r.Choices[0].FinishReason)
			}
			u := r.Usage
			if u.PromptTokens != c.usage.PromptTokens || u.CompletionTokens != c.usage.CompletionTokens || u.TotalTokens != c.usage.TotalTokens ||
				u.PromptTokensDetails.CachedTokens != c.cached || u.PromptTokensDetails.CacheCreationTokens != c.cacheMade {
				t.Errorf("usage: %+v %+v", u, u.PromptTokensDetails)
			}
		})
	}
}

func TestFinishReason(t *testing.T) {
	cases := map[string]string{
		"end_turn":                      chat.FinishStop,
		"stop_sequence":                 chat.FinishStop,
		"pause_turn":                    chat.FinishStop,
		"max_tokens":                    chat.FinishLength,
		"model_context_window_exceeded": chat.FinishLength,
		"tool_use":                      chat.FinishToolCalls,
		"refusal":                       chat.FinishContentFilter,
		"":                              chat.FinishStop,
	}
	for in, want := range cases {
		if got := finishReason(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

func TestMessagesURL(t *testing.T) {
	cases := []struct{ base, want string }{
		{"", "https://api.anthropic.com/v1/messages"},
		{"https://api.anthropic.com", "https://api.anthropic.com/v1/messages"},
		{"https://api.anthropic.com/", "https://api.anthropic.com/v1/messages"},
		{"https://api.anthropic.com/v1", "https://api.anthropic.com/v1/messages"},
		{"https://gw.example.com/anthropic/v1/", "https://gw.example.com/anthropic/v1/messages"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/messages"},
	}
	for _, c := range cases {
		got, err := messagesURL(c.base)
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v", c.base, got, err)
		}
	}
	for _, bad := range []string{"ftp://example.com", "https://user:hunter2@10.0.0.7", "https://10.0.0.7/?key=abc", "example.com", "https://"} {
		_, err := messagesURL(bad)
		ae := apperr.As(err)
		if err == nil || ae.Kind != apperr.Invalid || ae.Code != "invalid_base_url" {
			t.Errorf("%q: got %v", bad, err)
			continue
		}
		if strings.Contains(err.Error(), "10.0.0.7") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: error names the URL: %v", bad, err)
		}
	}
}
