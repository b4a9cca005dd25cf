package evalwork_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/id"
)

func refs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("ref-%03d", i)
	}
	return out
}

func TestChunks(t *testing.T) {
	org, ws, run := id.New(id.Org), id.New(id.Workspace), id.New(evalrun.IDPrefix)
	for _, tc := range []struct {
		refs  int
		sizes []int
	}{
		{refs: 0, sizes: nil},
		{refs: 1, sizes: []int{1}},
		{refs: evalwork.ChunkSize - 1, sizes: []int{evalwork.ChunkSize - 1}},
		{refs: evalwork.ChunkSize, sizes: []int{evalwork.ChunkSize}},
		{refs: evalwork.ChunkSize + 1, sizes: []int{evalwork.ChunkSize, 1}},
		{refs: 3*evalwork.ChunkSize + 2, sizes: []int{evalwork.ChunkSize, evalwork.ChunkSize, evalwork.ChunkSize, 2}},
		{refs: 4 * evalwork.ChunkSize, sizes: []int{evalwork.ChunkSize, evalwork.ChunkSize, evalwork.ChunkSize, evalwork.ChunkSize}},
	} {
		t.Run(fmt.Sprint(tc.refs), func(t *testing.T) {
			in := refs(tc.refs)
			msgs := evalwork.Chunks(org, ws, run, in)
			if len(msgs) != len(tc.sizes) {
				t.Fatalf("%d messages, want %d", len(msgs), len(tc.sizes))
			}
			next := 0
			for i, m := range msgs {
				if m.V != 1 || m.Org != org || m.Workspace != ws || m.Run != run {
					t.Fatalf("message %d is v%d of %s/%s/%s, want v1 of %s/%s/%s", i, m.V, m.Org, m.Workspace, m.Run, org, ws, run)
				}
				if len(m.Items) != tc.sizes[i] {
					t.Fatalf("message %d holds %d items, want %d", i, len(m.Items), tc.sizes[i])
				}
				for _, r := range m.Items {
					if r.Index != int64(next) || r.Ref != in[next] {
						t.Fatalf("message %d holds %+v, want {%d %s}", i, r, next, in[next])
					}
					next++
				}
				// Every chunk is a message the worker accepts, unchanged.
				body, err := json.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				got, err := evalwork.Decode(string(body))
				if err != nil {
					t.Fatalf("message %d refused: %v", i, err)
				}
				if !reflect.DeepEqual(got, m) {
					t.Fatalf("message %d decoded to %+v, want %+v", i, got, m)
				}
			}
			if next != tc.refs {
				t.Fatalf("%d of %d refs were chunked", next, tc.refs)
			}
		})
	}
}

// TestDecodeWireFormat pins the field names the API enqueues and the
// worker reads: a renamed field would strand queued chunks.
func TestDecodeWireFormat(t *testing.T) {
	org, ws, run := id.New(id.Org), id.New(id.Workspace), id.New(evalrun.IDPrefix)
	body := fmt.Sprintf(`{"v":1,"org":%q,"workspace":%q,"run":%q,"items":[{"i":7,"r":"2026-11-20T00:00:00Z|ev-1"},{"i":8,"r":"dataset:golden#8"}]}`, org, ws, run)
	got, err := evalwork.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	want := evalwork.Message{V: 1, Org: org, Workspace: ws, Run: run,
		Items: []evalwork.Ref{{Index: 7, Ref: "2026-11-20T00:00:00Z|ev-1"}, {Index: 8, Ref: "dataset:golden#8"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
	encoded, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(encoded) != body {
		t.Fatalf("encoded\n %s\nwant\n %s", encoded, body)
	}
}

func TestDecodeRefusesBadMessages(t *testing.T) {
	org, ws, run := id.New(id.Org), id.New(id.Workspace), id.New(evalrun.IDPrefix)
	valid := func() map[string]any {
		return map[string]any{"v": 1, "org": org, "workspace": ws, "run": run,
			"items": []any{map[string]any{"i": 0, "r": "a"}, map[string]any{"i": 1, "r": "b"}}}
	}
	items := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"i": i, "r": fmt.Sprint("r", i)}
		}
		return out
	}
	set := func(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }
	for _, tc := range []struct {
		name string
		body string               // a raw body, or
		mut  func(map[string]any) // a change to a valid one
		ok   bool
	}{
		{name: "valid", mut: func(map[string]any) {}, ok: true},
		{name: "full chunk", mut: set("items", items(evalwork.ChunkSize)), ok: true},
		{name: "ref at its bound", mut: set("items", []any{map[string]any{"i": 0, "r": strings.Repeat("r", 512)}}), ok: true},
		{name: "large index", mut: set("items", []any{map[string]any{"i": int64(1) << 40, "r": "a"}}), ok: true},

		{name: "empty body", body: ``},
		{name: "not JSON", body: `hello`},
		{name: "truncated", body: `{"v":1,"org":"` + org + `"`},
		{name: "JSON null", body: `null`},
		{name: "JSON array", body: `[]`},
		{name: "empty object", body: `{}`},
		{name: "version 0", mut: set("v", 0)},
		{name: "version 2", mut: set("v", 2)},
		{name: "version missing", mut: func(m map[string]any) { delete(m, "v") }},
		{name: "version a string", mut: set("v", "1")},
		{name: "no org", mut: set("org", "")},
		{name: "org of another kind", mut: set("org", ws)},
		{name: "org upper-cased", mut: set("org", strings.ToUpper(org))},
		{name: "org too short", mut: set("org", org[:len(org)-1])},
		{name: "org with a character outside the alphabet", mut: set("org", org[:len(org)-1]+"u")},
		{name: "no workspace", mut: set("workspace", "")},
		{name: "workspace of another kind", mut: set("workspace", org)},
		{name: "workspace too long", mut: set("workspace", ws+"0")},
		{name: "no run", mut: set("run", "")},
		{name: "run of another kind", mut: set("run", id.New(id.Trace))},
		{name: "run with a foreign prefix", mut: set("run", "evr_"+run[len(evalrun.IDPrefix):])},
		{name: "run with a separator", mut: set("run", run[:len(run)-1]+"#")},
		{name: "no items", mut: func(m map[string]any) { delete(m, "items") }},
		{name: "null items", mut: set("items", nil)},
		{name: "empty items", mut: set("items", []any{})},
		{name: "one item too many", mut: set("items", items(evalwork.ChunkSize+1))},
		{name: "many items", mut: set("items", items(100))},
		{name: "negative index", mut: set("items", []any{map[string]any{"i": 0, "r": "a"}, map[string]any{"i": -1, "r": "b"}})},
		{name: "index not a number", mut: set("items", []any{map[string]any{"i": "0", "r": "a"}})},
		{name: "index fractional", mut: set("items", []any{map[string]any{"i": 1.5, "r": "a"}})},
		{name: "ref over its bound", mut: set("items", []any{map[string]any{"i": 0, "r": strings.Repeat("r", 513)}})},
		{name: "ref not a string", mut: set("items", []any{map[string]any{"i": 0, "r": 5}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if tc.mut != nil {
				m := valid()
				tc.mut(m)
				b, err := json.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			}
			got, err := evalwork.Decode(body)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused %s: %v", body, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %s as %+v", body, got)
			}
			if e := apperr.As(err); e.Kind != apperr.Invalid || e.Code != "bad_message" {
				t.Fatalf("error %v is %s/%s, want invalid/bad_message", err, e.Kind, e.Code)
			}
			if !reflect.DeepEqual(got, evalwork.Message{}) {
				t.Fatalf("refused message still decoded to %+v", got)
			}
		})
	}
}
