package enforcer

import (
	"strings"
)

// queryLeadingKeys returns the partition key values a Query names: the
// equality on hashAttr in KeyConditionExpression (after resolving
// ExpressionAttributeNames and ExpressionAttributeValues) or, for older
// clients, the EQ condition in KeyConditions. Every equality found is
// returned, so an expression DynamoDB would reject can only narrow what IAM
// allows, never widen it.
func queryLeadingKeys(q ddbRequest, hashAttr string) []string {
	var out []string
	if q.KeyConditionExpression != "" {
		toks := tokenizeExpr(q.KeyConditionExpression)
		name := func(tok string) (string, bool) {
			switch {
			case strings.HasPrefix(tok, "#"):
				n, ok := q.ExpressionAttributeNames[tok]
				return n, ok
			case isIdentStart(tok):
				return tok, true
			}
			return "", false
		}
		value := func(tok string) (string, bool) {
			if !strings.HasPrefix(tok, ":") {
				return "", false
			}
			return attrString(q.ExpressionAttributeValues[tok])
		}
		for i := 1; i+1 < len(toks); i++ {
			if toks[i] != "=" {
				continue
			}
			l, r := toks[i-1], toks[i+1]
			if n, ok := name(l); ok && n == hashAttr {
				if v, ok := value(r); ok {
					out = append(out, v)
				}
			}
			if n, ok := name(r); ok && n == hashAttr {
				if v, ok := value(l); ok {
					out = append(out, v)
				}
			}
		}
	}
	if c, ok := q.KeyConditions[hashAttr]; ok && strings.EqualFold(c.ComparisonOperator, "EQ") && len(c.AttributeValueList) == 1 {
		if v, ok := attrString(c.AttributeValueList[0]); ok {
			out = append(out, v)
		}
	}
	return sortedUnique(out)
}

// tokenizeExpr splits a DynamoDB condition expression into names (#n),
// values (:v), identifiers, comparison operators and punctuation.
func tokenizeExpr(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || c == ':' || isWordByte(c):
			j := i + 1
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case c == '<' || c == '>':
			if i+1 < len(s) && (s[i+1] == '=' || (c == '<' && s[i+1] == '>')) {
				toks = append(toks, s[i:i+2])
				i += 2
			} else {
				toks = append(toks, s[i:i+1])
				i++
			}
		default:
			toks = append(toks, s[i:i+1])
			i++
		}
	}
	return toks
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// isIdentStart reports whether tok is a bare attribute name (not a keyword
// or function, which never sit next to '=').
func isIdentStart(tok string) bool {
	if tok == "" {
		return false
	}
	c := tok[0]
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
