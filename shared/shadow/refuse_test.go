package shadow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/shadow"
)

// secret is shaped like an OpenAI project key (not a real one).
const secret = "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"

// docOverhead is the encoding of a sample with one empty user message and
// an empty output; each byte of plain ASCII content adds one byte.
const docOverhead = len(`{"messages":[{"role":"user","content":""}],"output":""}`)

// maxContent is the longest such content whose sealed document fits
// MaxSealedBytes: "v1." + 23-byte key ID + "." + base64url(28 + n bytes).
const maxContent = (6*(shadow.MaxSealedBytes-27)-224)/8 - docOverhead

func text(n int) string { return strings.Repeat("lorem ipsum ", n/12+1)[:n] }

func TestPutRefuses(t *testing.T) {
	ctx := context.Background()
	o, other, clk := newOrg(t), newOrg(t), newClock()
	st := newStore(clk)
	db := o.sc.DynamoDB
	ws := id.New(id.Workspace)
	edit := func(f func(*shadow.Sample)) shadow.Sample {
		s := sample(ws, alias, "x")
		f(&s)
		return s
	}
	for _, c := range []struct {
		name string
		s    shadow.Sample
		kind apperr.Kind
		code string
	}{
		{"credential in a message", edit(func(s *shadow.Sample) {
			s.Messages[1].Content = chat.TextContent("my key is " + secret)
		}), apperr.Invalid, shadow.CodeCredential},
		{"credential in the output", edit(func(s *shadow.Sample) { s.Output = "use " + secret }),
			apperr.Invalid, shadow.CodeCredential},
		{"credential in tool arguments", edit(func(s *shadow.Sample) {
			s.Messages[2].ToolCalls[0].Function.Arguments = `{"api_key":"` + secret + `"}`
		}), apperr.Invalid, shadow.CodeCredential},
		{"credential in a text part", edit(func(s *shadow.Sample) {
			s.Messages[4].Content.Parts[0].Text = "Authorization: Bearer " + secret
		}), apperr.Invalid, shadow.CodeCredential},
		{"credential in an image URL", edit(func(s *shadow.Sample) {
			s.Messages[4].Content.Parts[1].ImageURL.URL = "https://x.example/?key=" + secret
		}), apperr.Invalid, shadow.CodeCredential},
		{"credential in the model", edit(func(s *shadow.Sample) { s.Model = "openai/" + secret }),
			apperr.Invalid, "invalid_model"},
		{"oversized message", edit(func(s *shadow.Sample) {
			s.Messages[1].Content = chat.TextContent(text(310 << 10))
		}), apperr.TooLarge, shadow.CodeTooLarge},
		{"oversized output", edit(func(s *shadow.Sample) { s.Output = text(250 << 10) }),
			apperr.TooLarge, shadow.CodeTooLarge},
		{"one byte over the bound", shadow.Sample{Workspace: ws, Alias: alias, Model: "openai/gpt-4o",
			Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent(text(maxContent + 1))}}},
			apperr.TooLarge, shadow.CodeTooLarge},
		{"no messages", edit(func(s *shadow.Sample) { s.Messages = nil }), apperr.Invalid, shadow.CodeInvalid},
		{"negative tokens", edit(func(s *shadow.Sample) { s.CompletionTokens = -1 }), apperr.Invalid, shadow.CodeInvalid},
		{"negative cost", edit(func(s *shadow.Sample) { s.CostNano = -1 }), apperr.Invalid, shadow.CodeInvalid},
		{"model without a connection", edit(func(s *shadow.Sample) { s.Model = "gpt-4o" }), apperr.Invalid, "invalid_model"},
		{"model with a space", edit(func(s *shadow.Sample) { s.Model = "openai/gpt 4o" }), apperr.Invalid, "invalid_model"},
		{"alias with #", edit(func(s *shadow.Sample) { s.Alias = "bot#x" }), apperr.Invalid, "invalid_alias"},
		{"alias in upper case", edit(func(s *shadow.Sample) { s.Alias = "Bot" }), apperr.Invalid, "invalid_alias"},
		{"no alias", edit(func(s *shadow.Sample) { s.Alias = "" }), apperr.Invalid, "invalid_alias"},
		{"bad workspace", edit(func(s *shadow.Sample) { s.Workspace = "ws_../x" }), apperr.Invalid, "invalid_workspace"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := st.Put(ctx, db, o.keys, o.id, c.s)
			if e := apperr.As(err); err == nil || e.Kind != c.kind || e.Code != c.code {
				t.Fatalf("got %v, want %s %s", err, c.kind, c.code)
			}
			if msg := err.Error(); strings.Contains(msg, secret[8:24]) || strings.Contains(msg, "lorem") {
				t.Fatalf("the error quotes the sample: %.200s", msg)
			}
		})
	}
	// Wrong org or keys: refused before anything is sealed.
	if _, err := st.Put(ctx, db, other.keys, o.id, sample(ws, alias, "x")); code(err) != "sealer_org_mismatch" {
		t.Fatalf("sealing with another org's keys: %v", err)
	}
	if _, err := st.Put(ctx, db, o.keys, "org_x", sample(ws, alias, "x")); code(err) != "invalid_org" {
		t.Fatalf("bad org: %v", err)
	}
	if items := rawItems(t, o.id); len(items) != 0 {
		t.Fatalf("%d refused samples were stored", len(items))
	}

	// At the bound exactly, the sample is stored, and its sealed value is
	// within MaxSealedBytes.
	edge := shadow.Sample{Workspace: ws, Alias: alias, Model: "openai/gpt-4o",
		Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent(text(maxContent))}}}
	got, err := st.Put(ctx, db, o.keys, o.id, edge)
	if err != nil {
		t.Fatalf("a sample at the bound: %v", err)
	}
	items := rawItems(t, o.id)
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	if n := len(items[0]["sealed"].(*types.AttributeValueMemberS).Value); n != shadow.MaxSealedBytes && n != shadow.MaxSealedBytes-1 {
		t.Fatalf("sealed value of %d bytes at the bound", n)
	}
	back, err := st.Open(ctx, db, o.keys, o.id, ws, alias, got.Key())
	if err != nil || back.Messages[0].Content.Text != edge.Messages[0].Content.Text {
		t.Fatalf("open at the bound: %v", err)
	}
}

// tamper writes the item at src, changed by attrs, to key, around the
// endpoint: an edit in place when src is key, a move otherwise.
func tamper(t *testing.T, src, key map[string]types.AttributeValue, attrs map[string]types.AttributeValue) {
	t.Helper()
	item := map[string]types.AttributeValue{}
	for k, v := range rawGet(t, src) {
		item[k] = v
	}
	for k, v := range key {
		item[k] = v
	}
	for k, v := range attrs {
		item[k] = v
	}
	if _, err := direct().PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: item}); err != nil {
		t.Fatal(err)
	}
}

func rawGet(t *testing.T, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	t.Helper()
	out, err := direct().GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.TableName), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		t.Fatalf("raw get: %v", err)
	}
	return out.Item
}
