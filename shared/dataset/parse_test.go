package dataset_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/dataset"
)

// secret is a fake key from scrub's corpus: shaped like a credential.
const secret = "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"

// marker is planted in every bad line; no reject may repeat it.
const marker = "QUOKKA"

const good = `{"messages":[{"role":"user","content":"fine"}]}`

func user(content string) string {
	return fmt.Sprintf(`{"messages":[{"role":"user","content":%q}]}`, content)
}

func manyTags(n int) string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf(`"k%d":"%s"`, i, marker)
	}
	return `{"messages":[{"role":"user","content":"x"}],"tags":{` + strings.Join(tags, ",") + `}}`
}

func manyMessages(n int) string {
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = `{"role":"user","content":"` + marker + `"}`
	}
	return `{"messages":[` + strings.Join(msgs, ",") + `]}`
}

func TestParseRejectsEachBadLine(t *testing.T) {
	cases := []struct{ name, line, code string }{
		{"line too long", user(marker + strings.Repeat("x", dataset.MaxLineBytes)), dataset.CodeLineTooLong},
		{"invalid utf-8", `{"messages":[{"role":"user","content":"` + marker + "\xff\xfe" + `"}]}`, dataset.CodeInvalidUTF8},
		{"not json", `{"messages": ` + marker, dataset.CodeNotJSON},
		{"trailing garbage", good + marker, dataset.CodeNotJSON},
		{"array", `["` + marker + `"]`, dataset.CodeNotObject},
		{"string", `"` + marker + `"`, dataset.CodeNotObject},
		{"null", `null`, dataset.CodeNotObject},
		{"unknown top field", `{"messages":[{"role":"user","content":"x"}],"` + marker + `":1}`, dataset.CodeUnknownField},
		{"field of the wrong case", `{"Messages":[{"role":"user","content":"` + marker + `"}]}`, dataset.CodeUnknownField},
		{"unknown message field", `{"messages":[{"role":"user","content":"x","name":"` + marker + `"}]}`, dataset.CodeUnknownField},
		{"no messages", `{"reference":"` + marker + `"}`, dataset.CodeMissingMessages},
		{"empty messages", `{"messages":[],"reference":"` + marker + `"}`, dataset.CodeMissingMessages},
		{"null messages", `{"messages":null,"reference":"` + marker + `"}`, dataset.CodeMissingMessages},
		{"messages not an array", `{"messages":"` + marker + `"}`, dataset.CodeMissingMessages},
		{"too many messages", manyMessages(dataset.MaxMessages + 1), dataset.CodeTooManyMessages},
		{"message not an object", `{"messages":["` + marker + `"]}`, dataset.CodeBadMessage},
		{"unknown role", `{"messages":[{"role":"` + marker + `","content":"x"}]}`, dataset.CodeBadRole},
		{"tool role", `{"messages":[{"role":"tool","content":"` + marker + `"},{"role":"user","content":"x"}]}`, dataset.CodeBadRole},
		{"role not a string", `{"messages":[{"role":7,"content":"` + marker + `"}]}`, dataset.CodeBadRole},
		{"no role", `{"messages":[{"content":"` + marker + `"}]}`, dataset.CodeBadRole},
		{"content a number", `{"messages":[{"role":"user","content":7}],"reference":"` + marker + `"}`, dataset.CodeContentNotString},
		{"content parts", `{"messages":[{"role":"user","content":[{"type":"text","text":"` + marker + `"}]}]}`, dataset.CodeContentNotString},
		{"content null", `{"messages":[{"role":"user","content":null}],"reference":"` + marker + `"}`, dataset.CodeContentNotString},
		{"no content", `{"messages":[{"role":"user"}],"reference":"` + marker + `"}`, dataset.CodeContentNotString},
		{"last from the assistant", `{"messages":[{"role":"user","content":"` + marker + `"},{"role":"assistant","content":"a"}]}`, dataset.CodeLastNotUser},
		{"only a system message", `{"messages":[{"role":"system","content":"` + marker + `"}]}`, dataset.CodeLastNotUser},
		{"reference a number", `{"messages":[{"role":"user","content":"` + marker + `"}],"reference":7}`, dataset.CodeBadReference},
		{"reference an object", `{"messages":[{"role":"user","content":"x"}],"reference":{"` + marker + `":"y"}}`, dataset.CodeBadReference},
		{"tags an array", `{"messages":[{"role":"user","content":"x"}],"tags":["` + marker + `"]}`, dataset.CodeBadTags},
		{"tag value a number", `{"messages":[{"role":"user","content":"x"}],"tags":{"` + marker + `":7}}`, dataset.CodeBadTags},
		{"empty tag key", `{"messages":[{"role":"user","content":"x"}],"tags":{"":"` + marker + `"}}`, dataset.CodeBadTags},
		{"too many tags", manyTags(dataset.MaxTags + 1), dataset.CodeTooManyTags},
		{"tag key too long", `{"messages":[{"role":"user","content":"x"}],"tags":{"` + marker + strings.Repeat("k", dataset.MaxTagKeyBytes) + `":"v"}}`, dataset.CodeTagTooLong},
		{"tag value too long", `{"messages":[{"role":"user","content":"x"}],"tags":{"k":"` + marker + strings.Repeat("v", dataset.MaxTagValueBytes) + `"}}`, dataset.CodeTagTooLong},
		{"credential in content", user(marker + " my key is " + secret), dataset.CodeCredential},
		{"credential in a system message", `{"messages":[{"role":"system","content":"OPENAI_API_KEY=` + secret + `"},{"role":"user","content":"` + marker + `"}]}`, dataset.CodeCredential},
		{"escaped credential", `{"messages":[{"role":"user","content":"` + marker + ` sk-\u0070roj-` + secret[len("sk-proj-"):] + `"}]}`, dataset.CodeCredential},
		{"credential in reference", `{"messages":[{"role":"user","content":"` + marker + `"}],"reference":"` + secret + `"}`, dataset.CodeCredential},
		{"credential in a tag value", `{"messages":[{"role":"user","content":"` + marker + `"}],"tags":{"k":"` + secret + `"}}`, dataset.CodeCredential},
		{"credential split over a tag", `{"messages":[{"role":"user","content":"` + marker + `"}],"tags":{"aws_secret_access_key":"p9LdIOhVsncIlRdgekqFpcvkpZBMUSq78m3ME3jP"}}`, dataset.CodeCredential},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A good line, a blank line, then the bad one: it is line 3.
			items, rejects, err := dataset.Parse(strings.NewReader(good+"\n\n"+c.line+"\n"), dataset.Limits{})
			if apperr.As(err).Code != "dataset_invalid" || apperr.KindOf(err) != apperr.Invalid || items != nil {
				t.Fatalf("err %v, %d items", err, len(items))
			}
			if len(rejects) != 1 || rejects[0].Line != 3 || rejects[0].Code != c.code {
				t.Fatalf("rejects %+v, want one %s on line 3", rejects, c.code)
			}
			for _, text := range []string{rejects[0].Message, err.Error()} {
				if strings.Contains(text, marker) || strings.Contains(text, secret[8:24]) || strings.Contains(text, c.line) {
					t.Fatalf("a reject quotes the line: %q", text)
				}
			}
			seen[c.code] = true
		})
	}
	for _, code := range []string{dataset.CodeLineTooLong, dataset.CodeInvalidUTF8, dataset.CodeNotJSON, dataset.CodeNotObject,
		dataset.CodeUnknownField, dataset.CodeMissingMessages, dataset.CodeTooManyMessages, dataset.CodeBadMessage,
		dataset.CodeBadRole, dataset.CodeContentNotString, dataset.CodeLastNotUser, dataset.CodeBadReference,
		dataset.CodeBadTags, dataset.CodeTooManyTags, dataset.CodeTagTooLong, dataset.CodeCredential} {
		if !seen[code] {
			t.Errorf("no case rejects with %s", code)
		}
	}
}

func TestParseAcceptsWellFormedItems(t *testing.T) {
	in :=
		`{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"2+2? <b>&</b>"}],"reference":"4","tags":{"topic":"math"}}` + "\r\n" +
			"   \n" +
			`{"messages":[{"role":"user","content":""}],"reference":null,"tags":{}}` + "\n" +
			`{"tags":null,"messages":[{"content":"x\u2028y","role":"user"}]}`
	items, rejects, err := dataset.Parse(strings.NewReader(in), dataset.Limits{})
	if err != nil || rejects != nil || len(items) != 3 {
		t.Fatalf("%d items, rejects %+v, err %v", len(items), rejects, err)
	}
	if it := items[0]; len(it.Messages) != 4 || it.Messages[3].Content.Text != "2+2? <b>&</b>" || it.Reference != "4" || it.Tags["topic"] != "math" {
		t.Fatalf("first item %+v", it)
	}
	if it := items[1]; it.Reference != "" || it.Tags != nil || it.Messages[0].Content.Text != "" {
		t.Fatalf("empty reference and tags are absent: %+v", it)
	}
	if items[2].Messages[0].Content.Text != "x\u2028y" {
		t.Fatalf("third item %+v", items[2])
	}
}

func TestParseLimits(t *testing.T) {
	lines := func(n int, line string) string { return strings.Repeat(line+"\n", n) }
	// A line of exactly MaxLineBytes is accepted.
	exact := user(strings.Repeat("x", dataset.MaxLineBytes-len(user(""))))
	if len(exact) != dataset.MaxLineBytes {
		t.Fatalf("exact line is %d bytes", len(exact))
	}
	cases := []struct {
		name    string
		in      string
		lim     dataset.Limits
		code    string
		kind    apperr.Kind
		items   int
		rejects int
	}{
		{"a line at the limit", exact, dataset.Limits{}, "", 0, 1, 0},
		{"a line over the limit", exact + "x", dataset.Limits{}, "dataset_invalid", apperr.Invalid, 0, 1},
		{"max items", lines(dataset.MaxItems, good), dataset.Limits{}, "", 0, dataset.MaxItems, 0},
		{"one item too many", lines(dataset.MaxItems+1, good), dataset.Limits{}, "too_many_items", apperr.Invalid, 0, 0},
		{"bad lines count as items", lines(dataset.MaxItems, good) + "nope\n", dataset.Limits{}, "too_many_items", apperr.Invalid, 0, 0},
		{"too many bytes", lines(dataset.MaxBytes/len(exact)+1, exact), dataset.Limits{}, "dataset_too_large", apperr.TooLarge, 0, 0},
		{"bytes at the limit", lines(3, good)[:len(good)*3+2], dataset.Limits{Bytes: len(good)*3 + 2}, "", 0, 3, 0},
		{"a byte over a tighter limit", lines(3, good), dataset.Limits{Bytes: len(good)*3 + 2}, "dataset_too_large", apperr.TooLarge, 0, 0},
		{"a tighter item limit", lines(3, good), dataset.Limits{Items: 2}, "too_many_items", apperr.Invalid, 0, 0},
		{"a limit above the maximum is the maximum", lines(dataset.MaxItems+1, good), dataset.Limits{Items: 1 << 30}, "too_many_items", apperr.Invalid, 0, 0},
		{"rejects reported up to the cap", lines(150, "nope"), dataset.Limits{}, "dataset_invalid", apperr.Invalid, 0, dataset.MaxRejects},
		{"a tighter reject cap", lines(150, "nope"), dataset.Limits{Rejects: 5}, "dataset_invalid", apperr.Invalid, 0, 5},
		{"empty", "", dataset.Limits{}, "dataset_empty", apperr.Invalid, 0, 0},
		{"blank lines only", "\n \r\n\t\n", dataset.Limits{}, "dataset_empty", apperr.Invalid, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items, rejects, err := dataset.Parse(strings.NewReader(c.in), c.lim)
			if c.code == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else if e := apperr.As(err); e.Code != c.code || e.Kind != c.kind {
				t.Fatalf("err %v, want %s", err, c.code)
			}
			if len(items) != c.items || len(rejects) != c.rejects {
				t.Fatalf("%d items, %d rejects", len(items), len(rejects))
			}
		})
	}
	// The error counts every bad line, beyond those listed.
	if _, _, err := dataset.Parse(strings.NewReader(lines(150, "nope")), dataset.Limits{}); !strings.Contains(err.Error(), "150 lines") {
		t.Fatalf("err %v", err)
	}
}
