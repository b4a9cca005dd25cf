package mock

import (
	"reflect"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

func TestJudgeText(t *testing.T) {
	sys := func(role, text string) chat.Message { return chat.Message{Role: role, Content: chat.TextContent(text)} }
	cases := []struct {
		name string
		msgs []chat.Message
		want bool
	}{
		{"rubric prompt", []chat.Message{sys("system", "You are an impartial evaluator. Grade it."), user("x")}, true},
		{"case and space", []chat.Message{sys("system", "\n  you are an IMPARTIAL evaluator, please"), user("x")}, true},
		{"developer role", []chat.Message{sys("developer", "You are an impartial evaluator."), user("x")}, true},
		{"no system message", []chat.Message{user("You are an impartial evaluator."), user("x")}, false},
		{"other system prompt", []chat.Message{sys("system", "You are a helpful assistant."), user("x")}, false},
		{"prefix not at the start", []chat.Message{sys("system", "Note: You are an impartial evaluator."), user("x")}, false},
		{"system message alone", []chat.Message{sys("system", "You are an impartial evaluator.")}, false},
		{"last message not the user's", []chat.Message{sys("system", "You are an impartial evaluator."), user("x"), sys("assistant", "y")}, false},
		{"short system prompt", []chat.Message{sys("system", "You are"), user("x")}, false},
	}
	for _, c := range cases {
		if _, got := judgeText(c.msgs); got != c.want {
			t.Errorf("%s: judge request %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseJudge(t *testing.T) {
	cases := []struct {
		name string
		text string
		want judgeInput
		ok   bool
	}{
		{name: "rubric with reference",
			text: "<conversation>\n[user]\nQ?\n</conversation>\nA reference answer, to guide the evaluation:\n<reference>\nParis\n</reference>\n<response>\nparis\n</response>\n",
			want: judgeInput{conversation: "[user]\nQ?", reference: "Paris", hasRef: true, responses: []string{"paris"}}, ok: true},
		{name: "rubric without reference, multi-line response",
			text: "<conversation>\n[system]\nBe brief.\n[user]\nQ?\nAnswer: 4\n</conversation>\n<response>\nfour\n4\n</response>\n",
			want: judgeInput{conversation: "[system]\nBe brief.\n[user]\nQ?\nAnswer: 4", responses: []string{"four\n4"}}, ok: true},
		{name: "empty conversation and response",
			text: "<conversation>\n</conversation>\n<response>\n\n</response>\n",
			want: judgeInput{responses: []string{""}}, ok: true},
		{name: "pairwise",
			text: "<conversation>\n[user]\nQ?\n</conversation>\nResponse 1:\n<response>\nA\n</response>\nResponse 2:\n<response>\nB\n</response>\n",
			want: judgeInput{conversation: "[user]\nQ?", responses: []string{"A", "B"}}, ok: true},
		{name: "pairwise, empty responses",
			text: "<conversation>\n[user]\nQ?\n</conversation>\nResponse 1:\n<response>\n\n</response>\nResponse 2:\n<response>\n\n</response>\n",
			want: judgeInput{conversation: "[user]\nQ?", responses: []string{"", ""}}, ok: true},
		{name: "whitespace reference is none",
			text: "<conversation>\n[user]\nQ?\n</conversation>\nA reference answer, to guide the evaluation:\n<reference>\n \n</reference>\n<response>\nA\n</response>\n",
			want: judgeInput{conversation: "[user]\nQ?", reference: " ", responses: []string{"A"}}, ok: true},
		{name: "no conversation", text: "<response>\nA\n</response>\n"},
		{name: "unclosed conversation", text: "<conversation>\n[user]\nQ?\n<response>\nA\n</response>\n"},
		{name: "unclosed reference", text: "<conversation>\n[user]\nQ?\n</conversation>\nA reference answer, to guide the evaluation:\n<reference>\nP\n<response>\nA\n</response>\n"},
		{name: "no response", text: "<conversation>\n[user]\nQ?\n</conversation>\n"},
		{name: "unclosed response", text: "<conversation>\n[user]\nQ?\n</conversation>\n<response>\nA"},
		{name: "pairwise without a second response", text: "<conversation>\n[user]\nQ?\n</conversation>\nResponse 1:\n<response>\nA\n</response>\n"},
	}
	for _, c := range cases {
		got, ok := parseJudge(c.text)
		if ok != c.ok {
			t.Errorf("%s: parsed %v, want %v", c.name, ok, c.ok)
			continue
		}
		if ok && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestJudgeRebuildsConversation(t *testing.T) {
	msg := func(role, text string) chat.Message { return chat.Message{Role: role, Content: chat.TextContent(text)} }
	cases := []struct {
		name string
		conv string
		want []chat.Message
	}{
		{"one message", "[user]\nSay hello.", []chat.Message{msg("user", "Say hello.")}},
		{"turns and multi-line text", "[system]\nBe brief.\n[user]\nline 1\nline 2\n[assistant]\n\n[user]\nmore",
			[]chat.Message{msg("system", "Be brief."), msg("user", "line 1\nline 2"), msg("assistant", ""), msg("user", "more")}},
		{"unknown role is text", "[user]\n[note]\nhi", []chat.Message{msg("user", "[note]\nhi")}},
		{"text before any header", "hello\n[user]\nhi", nil},
		{"empty", "", nil},
	}
	for _, c := range cases {
		got := judgeInput{conversation: c.conv}.messages()
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}
