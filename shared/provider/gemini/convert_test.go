package gemini

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current conversion")

func TestRequestGolden(t *testing.T) {
	names := []string{"basic", "multiturn", "tools", "tool_choice_required", "multimodal", "json_schema", "json_object"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var r chat.Request
			if err := json.Unmarshal(fixture(t, "requests/"+name+".json"), &r); err != nil {
				t.Fatal(err)
			}
			w, err := toWire(&r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(w, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "requests", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("wire request differs from %s:\n%s", golden, got)
			}
		})
	}
}

func TestRequestRejectsWhatGeminiCannotTake(t *testing.T) {
	user := func(parts ...chat.Part) []chat.Message {
		return []chat.Message{{Role: chat.RoleUser, Content: chat.Content{IsParts: true, Parts: parts}}}
	}
	image := func(url string) chat.Part { return chat.Part{Type: "image_url", ImageURL: &chat.ImageURL{URL: url}} }
	cases := []struct {
		name  string
		req   chat.Request
		param string
	}{
		{"unknown image extension", chat.Request{Messages: user(image("https://example.com/pic"))}, "messages[0].content[0].image_url.url"},
		{"gif by URL", chat.Request{Messages: user(image("https://example.com/a.gif"))}, "messages[0].content[0].image_url.url"},
		{"ftp image", chat.Request{Messages: user(image("ftp://example.com/a.png"))}, "messages[0].content[0].image_url.url"},
		{"data URI not base64", chat.Request{Messages: user(image("data:image/png,abc"))}, "messages[0].content[0].image_url.url"},
		{"data URI not an image", chat.Request{Messages: user(image("data:text/plain;base64,aGk="))}, "messages[0].content[0].image_url.url"},
		{"audio format", chat.Request{Messages: user(chat.Part{Type: "input_audio", InputAudio: json.RawMessage(`{"data":"AAAA","format":"opus"}`)})}, "messages[0].content[0].input_audio.format"},
		{"file by id", chat.Request{Messages: user(chat.Part{Type: "file", File: json.RawMessage(`{"file_id":"file-abc"}`)})}, "messages[0].content[0].file"},
		{"unknown part", chat.Request{Messages: user(chat.Part{Type: "video"})}, "messages[0].content[0].type"},
		{"image in system", chat.Request{Messages: []chat.Message{{Role: chat.RoleSystem, Content: chat.Content{IsParts: true, Parts: []chat.Part{image("data:image/png;base64,AA==")}}}}}, "messages[0].content[0].type"},
		{"unknown role", chat.Request{Messages: []chat.Message{{Role: "function", Content: chat.TextContent("x")}}}, "messages[0].role"},
		{"orphan tool result", chat.Request{Messages: []chat.Message{{Role: chat.RoleTool, ToolCallID: "call_9", Content: chat.TextContent("x")}}}, "messages[0].tool_call_id"},
		{"arguments not an object", chat.Request{Messages: []chat.Message{{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "a", Function: chat.FunctionCall{Name: "f", Arguments: `[1]`}}}}}}, "messages[0].tool_calls[0].function.arguments"},
		{"tool type", chat.Request{Tools: []chat.Tool{{Type: "web_search"}}}, "tools[0].type"},
		{"tool choice word", chat.Request{ToolChoice: json.RawMessage(`"sometimes"`)}, "tool_choice"},
		{"tool choice object", chat.Request{ToolChoice: json.RawMessage(`{"type":"allowed_tools"}`)}, "tool_choice"},
		{"response format", chat.Request{ResponseFormat: &chat.ResponseFormat{Type: "xml"}}, "response_format.type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := toWire(&c.req)
			if err == nil {
				t.Fatal("accepted")
			}
			ae := apperr.As(err)
			if ae.Kind != apperr.Invalid || ae.Param != c.param {
				t.Fatalf("got kind %v param %q (%v), want invalid %q", ae.Kind, ae.Param, err, c.param)
			}
		})
	}
}

func TestToolResultNamedAfterLatestCall(t *testing.T) {
	call := func(name string) chat.Message {
		return chat.Message{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "call_0", Type: "function", Function: chat.FunctionCall{Name: name, Arguments: "{}"}}}}
	}
	result := chat.Message{Role: chat.RoleTool, ToolCallID: "call_0", Content: chat.TextContent("")}
	r := chat.Request{Messages: []chat.Message{call("first"), result, call("second"), result}}
	w, err := toWire(&r)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range w.Contents {
		for _, p := range c.Parts {
			if p.FunctionResponse != nil {
				names = append(names, p.FunctionResponse.Name+"="+string(p.FunctionResponse.Response))
			}
		}
	}
	if got := strings.Join(names, " "); got != `first={"output":""} second={"output":""}` {
		t.Fatalf("got %s", got)
	}
}

func TestEndpoint(t *testing.T) {
	cases := []struct {
		base, model string
		stream      bool
		want        string
	}{
		{"", "gemini-2.5-flash", false, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"},
		{"", "gemini-2.5-flash", true, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"},
		{"https://proxy.example.com/google/", "models/gemini-2.5-pro", false, "https://proxy.example.com/google/v1beta/models/gemini-2.5-pro:generateContent"},
		{"https://proxy.example.com/v1beta", "tunedModels/my-tune", true, "https://proxy.example.com/v1beta/tunedModels/my-tune:streamGenerateContent?alt=sse"},
	}
	for _, c := range cases {
		got, err := endpoint(c.base, c.model, c.stream)
		if err != nil || got != c.want {
			t.Errorf("endpoint(%q, %q) = %q, %v; want %q", c.base, c.model, got, err, c.want)
		}
	}
	for _, bad := range []struct{ base, model string }{
		{"", ""}, {"", "../../files"}, {"", "models/a/b"}, {"", "models/.."}, {"", "x?key=1"},
		{"ftp://example.com", "m"}, {"https://example.com/?a=1", "m"}, {"not a url", "m"},
	} {
		if got, err := endpoint(bad.base, bad.model, false); err == nil {
			t.Errorf("endpoint(%q, %q) accepted: %s", bad.base, bad.model, got)
		}
	}
}
