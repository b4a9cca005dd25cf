package chat

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestRequestRoundTripKeepsEverything(t *testing.T) {
	in := `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"be brief"},` +
		`{"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},` +
		`{"role":"tool","tool_call_id":"call_1","content":"42"}],` +
		`"stream":true,"stream_options":{"include_usage":true},"n":2,"stop":["END"],"seed":7,"user":"u-1",` +
		`"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"auto",` +
		`"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}},` +
		`"logprobs":true,"top_logprobs":2,"reasoning_effort":"low"}`
	var r Request
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	if r.Choices() != 2 || !reflect.DeepEqual(r.Stop, Stop{"END"}) || *r.Seed != 7 || r.User != "u-1" {
		t.Fatalf("fields lost: %+v", r)
	}
	if !r.Messages[1].Content.IsParts || r.Messages[1].Content.Parts[1].ImageURL.Detail != "low" {
		t.Fatalf("multimodal content lost: %+v", r.Messages[1].Content)
	}
	if !r.Messages[2].Content.IsNull || r.Messages[2].ToolCalls[0].Function.Arguments != `{"a":1}` {
		t.Fatalf("tool call turn lost: %+v", r.Messages[2])
	}
	if len(r.Extra) != 3 {
		t.Fatalf("extra fields: %v", r.Extra)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip changed the request:\n in: %v\nout: %v", a, b)
	}
}

func TestContentRejectsOtherTypes(t *testing.T) {
	for _, in := range []string{`{"role":"user","content":5}`, `{"role":"user","content":{"a":1}}`, `{"role":"user","content":true}`} {
		var m Message
		if err := json.Unmarshal([]byte(in), &m); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
}

func TestContentString(t *testing.T) {
	c := Content{IsParts: true, Parts: []Part{{Type: "text", Text: "a"}, {Type: "image_url", ImageURL: &ImageURL{URL: "x"}}, {Type: "text", Text: "b"}}}
	if c.String() != "ab" {
		t.Fatalf("got %q", c.String())
	}
}

func TestOutputCeilingPrefersMaxCompletionTokens(t *testing.T) {
	a, b := int64(10), int64(20)
	cases := []struct {
		r    Request
		want int64
	}{
		{Request{}, 0},
		{Request{MaxTokens: &a}, 10},
		{Request{MaxTokens: &a, MaxCompletionTokens: &b}, 20},
	}
	for _, c := range cases {
		if got := c.r.OutputCeiling(); got != c.want {
			t.Errorf("got %d want %d", got, c.want)
		}
	}
}

func TestStopAcceptsStringOrList(t *testing.T) {
	cases := map[string]Stop{`"x"`: {"x"}, `["a","b"]`: {"a", "b"}, `null`: nil}
	for in, want := range cases {
		var s Stop
		if err := json.Unmarshal([]byte(in), &s); err != nil || !reflect.DeepEqual(s, want) {
			t.Errorf("%s: got %v, %v", in, s, err)
		}
	}
	var s Stop
	if err := json.Unmarshal([]byte(`5`), &s); err == nil {
		t.Error("number accepted as stop")
	}
}
