package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current conversion")

// TestRequestGolden sends each canonical request through the SDK to a
// loopback server and compares the Converse body it received, so the
// golden files are the real wire JSON.
func TestRequestGolden(t *testing.T) {
	names := []string{"basic", "multiturn", "tools", "tool_choice_none", "tool_choice_required", "multimodal", "json_schema"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var r chat.Request
			if err := json.Unmarshal(fixture(t, "requests/"+name+".json"), &r); err != nil {
				t.Fatal(err)
			}
			p, call, rec := serve(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/text.json")))
			call.Request = &r
			if _, err := p.Complete(context.Background(), call); err != nil {
				t.Fatal(err)
			}
			got := rec.last(t)
			if want := "/model/" + strings.ReplaceAll(url.PathEscape(r.Model), ":", "%3A") + "/converse"; got.EscapedPath != want {
				t.Errorf("path %s, want %s", got.EscapedPath, want)
			}
			var v any
			d := json.NewDecoder(bytes.NewReader(got.Body))
			d.UseNumber()
			if err := d.Decode(&v); err != nil {
				t.Fatal(err)
			}
			body, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			body = append(body, '\n')
			golden := filepath.Join("testdata", "requests", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, body, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("wire request differs from %s:\n%s", golden, body)
			}
		})
	}
}

func TestRequestRejectsWhatConverseCannotTake(t *testing.T) {
	user := func(parts ...chat.Part) []chat.Message {
		return []chat.Message{{Role: chat.RoleUser, Content: chat.Content{IsParts: true, Parts: parts}}}
	}
	image := func(url string) chat.Part { return chat.Part{Type: "image_url", ImageURL: &chat.ImageURL{URL: url}} }
	two := 2
	cases := []struct {
		name  string
		req   chat.Request
		param string
	}{
		{"image by URL", chat.Request{Messages: user(image("https://example.com/a.png"))}, "messages[0].content[0].image_url.url"},
		{"image type", chat.Request{Messages: user(image("data:image/tiff;base64,AAAA"))}, "messages[0].content[0].image_url.url"},
		{"image not base64", chat.Request{Messages: user(image("data:image/png;base64,%%%"))}, "messages[0].content[0].image_url.url"},
		{"audio", chat.Request{Messages: user(chat.Part{Type: "input_audio", InputAudio: json.RawMessage(`{"data":"AAAA","format":"wav"}`)})}, "messages[0].content[0].type"},
		{"image in system", chat.Request{Messages: []chat.Message{{Role: chat.RoleSystem, Content: chat.Content{IsParts: true, Parts: []chat.Part{image("data:image/png;base64,AA==")}}}}}, "messages[0].content[0].type"},
		{"unknown role", chat.Request{Messages: []chat.Message{{Role: "function", Content: chat.TextContent("x")}}}, "messages[0].role"},
		{"tool call without id", chat.Request{Messages: []chat.Message{{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{Function: chat.FunctionCall{Name: "f"}}}}}}, "messages[0].tool_calls[0]"},
		{"arguments not an object", chat.Request{Messages: []chat.Message{{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "a", Function: chat.FunctionCall{Name: "f", Arguments: `"x"`}}}}}}, "messages[0].tool_calls[0].function.arguments"},
		{"n above one", chat.Request{N: &two}, "n"},
		{"tool type", chat.Request{Tools: []chat.Tool{{Type: "web_search"}}}, "tools[0].type"},
		{"tool parameters", chat.Request{Tools: []chat.Tool{{Type: "function", Function: chat.FunctionDef{Name: "f", Parameters: json.RawMessage(`[1]`)}}}}, "tools[0].function.parameters"},
		{"tool choice word", chat.Request{ToolChoice: json.RawMessage(`"sometimes"`)}, "tool_choice"},
		{"tool choice object", chat.Request{ToolChoice: json.RawMessage(`{"type":"allowed_tools"}`)}, "tool_choice"},
		{"json_object", chat.Request{ResponseFormat: &chat.ResponseFormat{Type: "json_object"}}, "response_format.type"},
		{"json_schema without schema", chat.Request{ResponseFormat: &chat.ResponseFormat{Type: "json_schema", JSONSchema: json.RawMessage(`{"name":"x"}`)}}, "response_format.json_schema"},
		{"response format", chat.Request{ResponseFormat: &chat.ResponseFormat{Type: "xml"}}, "response_format.type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := toConverse(&c.req)
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
