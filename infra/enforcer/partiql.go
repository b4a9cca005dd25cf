package enforcer

import (
	"strings"
)

// partiqlTarget reads a PartiQL statement's verb (Select, Insert, Update,
// Delete) and the table (and index) it names:
//
//	SELECT … FROM "table"."index" …
//	INSERT INTO "table" VALUE {…}
//	UPDATE "table" SET …
//	DELETE FROM "table" WHERE …
//	EXISTS(SELECT … FROM "table" …)   (a transaction's condition check)
func partiqlTarget(stmt string) (verb, table, index string, ok bool) {
	s := strings.TrimSpace(stmt)
	word, rest := nextWord(s)
	switch strings.ToUpper(word) {
	case "EXISTS":
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, "(") {
			return "", "", "", false
		}
		return partiqlTarget(strings.TrimSuffix(strings.TrimSpace(rest[1:]), ")"))
	case "SELECT":
		verb = "Select"
		i := indexKeyword(rest, "FROM")
		if i < 0 {
			return "", "", "", false
		}
		rest = rest[i+len("FROM"):]
	case "INSERT":
		verb = "Insert"
		w, r := nextWord(rest)
		if !strings.EqualFold(w, "INTO") {
			return "", "", "", false
		}
		rest = r
	case "UPDATE":
		verb = "Update"
	case "DELETE":
		verb = "Delete"
		w, r := nextWord(rest)
		if !strings.EqualFold(w, "FROM") {
			return "", "", "", false
		}
		rest = r
	default:
		return "", "", "", false
	}
	table, rest, ok = identifier(rest)
	if !ok {
		return "", "", "", false
	}
	if strings.HasPrefix(rest, ".") {
		index, _, ok = identifier(rest[1:])
		if !ok {
			return "", "", "", false
		}
	}
	return verb, table, index, true
}

func nextWord(s string) (string, string) {
	s = strings.TrimLeft(s, " \t\r\n")
	i := strings.IndexAny(s, " \t\r\n(")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// indexKeyword finds kw as a whole word outside quotes.
func indexKeyword(s, kw string) int {
	inQuote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inQuote != 0 {
			if c == inQuote {
				inQuote = 0
			}
			continue
		}
		if c == '"' || c == '\'' {
			inQuote = c
			continue
		}
		if i+len(kw) <= len(s) && strings.EqualFold(s[i:i+len(kw)], kw) &&
			(i == 0 || !isWordByte(s[i-1])) && (i+len(kw) == len(s) || !isWordByte(s[i+len(kw)])) {
			return i
		}
	}
	return -1
}

// identifier reads a quoted ("name") or bare identifier and returns the text
// after it.
func identifier(s string) (string, string, bool) {
	s = strings.TrimLeft(s, " \t\r\n")
	if strings.HasPrefix(s, `"`) {
		end := strings.IndexByte(s[1:], '"')
		if end <= 0 {
			return "", "", false
		}
		return s[1 : 1+end], s[2+end:], true
	}
	j := 0
	for j < len(s) && (isWordByte(s[j]) && s[j] != '.') {
		j++
	}
	if j == 0 {
		return "", "", false
	}
	return s[:j], s[j:], true
}
