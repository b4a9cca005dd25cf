package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Parse reads a JSONL dataset, one item a line:
//
//	{"messages":[{"role":"user","content":"…"}],"reference":"…","tags":{"k":"v"}}
//
// Blank lines are skipped (but counted, so line numbers match an editor's).
//
// Any bad line fails the whole upload: items is nil, rejects lists the first
// lim.Rejects bad lines and err is Invalid "dataset_invalid". A partial
// dataset would silently skew the savings comparison, and the workspace can
// fix and resend the file in one go. Whole-file limits stop parsing at once
// with a typed error and no rejects: TooLarge "dataset_too_large" beyond
// lim.Bytes, Invalid "too_many_items" beyond lim.Items, Invalid
// "dataset_empty" for a file without items.
func Parse(r io.Reader, lim Limits) (items []Item, rejects []Reject, err error) {
	lim = lim.clamped()
	data, err := io.ReadAll(io.LimitReader(r, int64(lim.Bytes)+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read dataset: %w", err)
	}
	if len(data) > lim.Bytes {
		return nil, nil, apperr.New(apperr.TooLarge, "dataset_too_large",
			fmt.Sprintf("a dataset may be at most %d bytes", lim.Bytes))
	}
	bad := 0
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if len(items)+bad >= lim.Items {
			return nil, nil, apperr.New(apperr.Invalid, "too_many_items",
				fmt.Sprintf("a dataset may have at most %d items", lim.Items))
		}
		it, p := parseLine(line, lim)
		if p != nil {
			bad++
			if len(rejects) < lim.Rejects {
				rejects = append(rejects, Reject{Line: n + 1, Code: p.code, Message: p.msg})
			}
			continue
		}
		items = append(items, it)
	}
	if bad > 0 {
		return nil, rejects, apperr.New(apperr.Invalid, "dataset_invalid",
			fmt.Sprintf("%d lines were rejected; nothing was stored", bad))
	}
	if len(items) == 0 {
		return nil, nil, apperr.New(apperr.Invalid, "dataset_empty", "the dataset has no items")
	}
	return items, nil, nil
}

// parseLine checks one non-blank line's encoding and shape, then the rules
// every item must meet.
func parseLine(line []byte, lim Limits) (Item, *problem) {
	if len(line) > lim.LineBytes {
		return Item{}, fail(CodeLineTooLong, "a line may be at most %d bytes", lim.LineBytes)
	}
	if !utf8.Valid(line) {
		return Item{}, fail(CodeInvalidUTF8, "the line is not valid UTF-8")
	}
	if !json.Valid(line) {
		return Item{}, fail(CodeNotJSON, "the line is not valid JSON")
	}
	top, isObj, known := object(line, "messages", "reference", "tags")
	switch {
	case !isObj:
		return Item{}, fail(CodeNotObject, "the line must be a JSON object")
	case !known:
		return Item{}, fail(CodeUnknownField, "unknown field; the allowed fields are messages, reference and tags")
	}
	var it Item
	var p *problem
	if it.Messages, p = messages(top["messages"], lim); p != nil {
		return Item{}, p
	}
	if r, ok := top["reference"]; ok && !isNull(r) {
		if json.Unmarshal(r, &it.Reference) != nil {
			return Item{}, fail(CodeBadReference, "reference must be a string")
		}
	}
	if it.Tags, p = tags(top["tags"]); p != nil {
		return Item{}, p
	}
	return it, it.check(lim)
}

// messages decodes the messages array; check validates roles and order.
func messages(raw json.RawMessage, lim Limits) ([]chat.Message, *problem) {
	var list []json.RawMessage
	if raw == nil || isNull(raw) || json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, fail(CodeMissingMessages, "messages must be a non-empty array")
	}
	if len(list) > lim.Messages {
		return nil, fail(CodeTooManyMessages, "an item may have at most %d messages", lim.Messages)
	}
	out := make([]chat.Message, len(list))
	for i, m := range list {
		fields, isObj, known := object(m, "role", "content")
		switch {
		case !isObj:
			return nil, fail(CodeBadMessage, "messages[%d] must be an object", i)
		case !known:
			return nil, fail(CodeUnknownField, "messages[%d]: unknown field; the allowed fields are role and content", i)
		}
		if json.Unmarshal(fields["role"], &out[i].Role) != nil || !roles[out[i].Role] {
			return nil, fail(CodeBadRole, "messages[%d]: role must be system, user or assistant", i)
		}
		var text string
		c := bytes.TrimSpace(fields["content"])
		if len(c) == 0 || c[0] != '"' || json.Unmarshal(c, &text) != nil {
			return nil, fail(CodeContentNotString, "messages[%d]: content must be a string", i)
		}
		out[i].Content = chat.TextContent(text)
	}
	return out, nil
}

// tags decodes the optional tags object of strings.
func tags(raw json.RawMessage) (map[string]string, *problem) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	var fields map[string]json.RawMessage
	if t := bytes.TrimSpace(raw); t[0] != '{' || json.Unmarshal(t, &fields) != nil {
		return nil, fail(CodeBadTags, "tags must be an object of strings")
	}
	if len(fields) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		var s string
		if v = bytes.TrimSpace(v); v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return nil, fail(CodeBadTags, "tags must be an object of strings")
		}
		out[k] = s
	}
	return out, nil
}

// object decodes raw as a JSON object and reports whether all its keys are
// in allowed. It decodes into a map rather than a struct so that the check
// is exact (struct decoding matches keys case-insensitively) and never needs
// the decoder's error text, which quotes the input.
func object(raw json.RawMessage, allowed ...string) (fields map[string]json.RawMessage, isObject, known bool) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &fields) != nil {
		return nil, false, false
	}
	for k := range fields {
		if !slices.Contains(allowed, k) {
			return nil, true, false
		}
	}
	return fields, true, true
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
