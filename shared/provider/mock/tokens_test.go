package mock

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

func TestPieces(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hi", []string{"Hi"}},
		{"Hello world.", []string{"Hell", "o", " worl", "d", "."}},
		{"a  b", []string{"a", "  b"}},
		{"x \n", []string{"x", " \n"}},
		{"café 42!", []string{"café", " 42", "!"}},
		{"get_weather", []string{"get", "_", "weat", "her"}},
		{"{}", []string{"{", "}"}},
		{"日本語のテキスト", []string{"日本語の", "テキスト"}},
	}
	for _, c := range cases {
		got := Pieces(c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Pieces(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Join(got, "") != c.in {
			t.Errorf("Pieces(%q) does not join back", c.in)
		}
	}
}

func TestPromptTokens(t *testing.T) {
	cases := []struct {
		name string
		req  string
		want int64
	}{
		// 3 + (4 + ceil(5/4)=2)
		{"one message", `{"model":"m","messages":[{"role":"user","content":"Hello"}]}`, 9},
		// 3 + (4+ceil(8/4)=2) + (4+ceil(9/4)=3)
		{"two messages", `{"model":"m","messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"Hi there!"}]}`, 16},
		// 3 + (4 + ceil(4/4)=1 + 85)
		{"image part", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"What"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}`, 93},
		// 3 + (4+0 + ceil((1+2)/4)=1) + (4 + ceil(2/4)=1)
		{"tool call and result", `{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"42"}]}`, 13},
		// 3 + (4+1) + tool ceil((1+4+17)/4)=6
		{"tools offered", `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","description":"does","parameters":{"type":"object"}}}]}`, 14},
	}
	for _, c := range cases {
		var req chat.Request
		if err := json.Unmarshal([]byte(c.req), &req); err != nil {
			t.Fatal(err)
		}
		if got := PromptTokens(&req); got != c.want {
			t.Errorf("%s: got %d want %d", c.name, got, c.want)
		}
	}
}
