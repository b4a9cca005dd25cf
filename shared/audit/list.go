package audit

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// Filter selects entries. Every field is optional.
type Filter struct {
	// From and To bound the entries' times, [From, To). To defaults to
	// just after now, so everything appended so far is listed, and From to
	// MaxRangeMonths before To; they may be at most
	// MaxRangeMonths apart, so one listing reads a bounded number of
	// month partitions.
	From, To time.Time
	// Action, Actor, TargetID and Workspace keep only entries equal to them.
	Action, Actor, TargetID, Workspace string
	// Limit is the page size: DefaultLimit when 0, at most MaxLimit.
	Limit int
	// Cursor continues from the page that returned it. It is valid only
	// with the same org and the same equality filters.
	Cursor string
}

// Page sizes and the longest range one listing may cover.
const (
	DefaultLimit   = 50
	MaxLimit       = 500
	MaxRangeMonths = 13
)

// cursor is where the previous page stopped: the month partition, the last
// sort key returned, and a fingerprint of the org and filters, so a cursor
// cannot be replayed against another org or another question.
type cursor struct {
	Month string `json:"m"`
	SK    string `json:"s"`
	Query string `json:"q"`
}

// List returns org's entries newest first and a cursor for the next page,
// "" when there is none. It walks month partitions backwards from To to
// From; the equality filters run in DynamoDB as filter expressions.
func (st *Store) List(ctx context.Context, db DB, org string, f Filter) ([]Entry, string, error) {
	if !id.Valid(id.Org, org) {
		return nil, "", invalid("invalid_org", "org", "org is not a valid organization ID")
	}
	f, err := st.bounds(f)
	if err != nil {
		return nil, "", err
	}
	lower := f.From.Format(skTime)
	last := f.To.Add(-time.Nanosecond)
	upper := last.Format(skTime) + "#~" // '~' sorts after every ID character
	firstMonth, month := monthOf(f.From), monthOf(last)
	fingerprint := f.fingerprint(org)
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil || c.Query != fingerprint {
			return nil, "", invalid("invalid_cursor", "cursor", "the cursor is not valid for this listing")
		}
		m, err := time.Parse(monthKey, c.Month)
		if err != nil || m.Before(firstMonth) || m.After(month) ||
			!strings.HasPrefix(c.SK, m.Format("2006-01-")) || c.SK < lower || c.SK > upper {
			return nil, "", invalid("invalid_cursor", "cursor", "the cursor is not valid for this listing")
		}
		month, upper = m, c.SK
	}
	filter, names, values := f.expression()
	var out []Entry
	for ; !month.Before(firstMonth); month = month.AddDate(0, -1, 0) {
		pk := "ORG#" + org + "#AUDIT#" + month.Format(monthKey)
		got, err := st.listMonth(ctx, db, pk, lower, upper, f.Limit-len(out), filter, names, values)
		if err != nil {
			return nil, "", err
		}
		out = append(out, got...)
		if len(out) >= f.Limit {
			next := cursor{Month: month.Format(monthKey), SK: SK(out[len(out)-1].Time, out[len(out)-1].ID), Query: fingerprint}
			return out, encodeCursor(next), nil
		}
		upper = last.Format(skTime) + "#~" // earlier months are read from their top
	}
	return out, "", nil
}

// bounds applies Filter's defaults and checks its limits.
func (st *Store) bounds(f Filter) (Filter, error) {
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		return f, invalid("invalid_limit", "limit", fmt.Sprintf("limit must be between 1 and %d", MaxLimit))
	}
	if f.To.IsZero() {
		f.To = st.clock().Add(time.Nanosecond)
	}
	f.To = f.To.UTC()
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, -MaxRangeMonths, 0)
	}
	f.From = f.From.UTC()
	switch {
	case !f.From.Before(f.To):
		return f, invalid("invalid_range", "from", "from must be before to")
	case f.From.Before(f.To.AddDate(0, -MaxRangeMonths, 0)):
		return f, invalid("invalid_range", "from", fmt.Sprintf("a listing covers at most %d months", MaxRangeMonths))
	case f.From.Year() < 2000 || f.To.Year() > 9999:
		return f, invalid("invalid_range", "from", "times must be between the years 2000 and 9999")
	}
	return f, nil
}

// listMonth returns up to need matching entries of one month partition
// with sort keys in [lower, upper), newest first. A page's last sort key
// is an inclusive bound to DynamoDB, so an item equal to upper is skipped.
func (st *Store) listMonth(ctx context.Context, db DB, pk, lower, upper string, need int,
	filter *string, names map[string]string, values map[string]types.AttributeValue) ([]Entry, error) {
	vals := map[string]types.AttributeValue{":pk": str(pk), ":lo": str(lower), ":hi": str(upper)}
	for k, v := range values {
		vals[k] = v
	}
	pageSize := need + 1
	if filter != nil {
		pageSize = max(need*2, 100) // filters drop items after DynamoDB counts them
	}
	var out []Entry
	var start map[string]types.AttributeValue
	for len(out) < need {
		res, err := db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(st.table),
			KeyConditionExpression:    aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
			FilterExpression:          filter,
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: vals,
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(int32(min(pageSize, 1000))),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, storeError(fmt.Errorf("list audit entries in %s: %w", pk[strings.LastIndexByte(pk, '#')+1:], err),
				"audit entries could not be read; retry shortly")
		}
		for _, it := range res.Items {
			if sk, _ := it["sk"].(*types.AttributeValueMemberS); sk != nil && sk.Value == upper {
				continue // the previous page's last entry
			}
			e, err := fromItem(it)
			if err != nil {
				return nil, apperr.Wrap(fmt.Errorf("decode audit entry: %w", err), apperr.Internal, "corrupt_audit_entry", "internal error")
			}
			if out = append(out, e); len(out) == need {
				break
			}
		}
		if res.LastEvaluatedKey == nil {
			break
		}
		start = res.LastEvaluatedKey
	}
	return out, nil
}

// expression builds the filter expression of f's equality filters, nil
// when there are none. Every attribute goes through a name placeholder
// (several are reserved words).
func (f Filter) expression() (*string, map[string]string, map[string]types.AttributeValue) {
	var conds []string
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	for _, c := range []struct{ attr, val string }{
		{"action", f.Action}, {"actor", f.Actor}, {"target_id", f.TargetID}, {"workspace", f.Workspace},
	} {
		if c.val == "" {
			continue
		}
		conds = append(conds, "#"+c.attr+" = :"+c.attr)
		names["#"+c.attr], values[":"+c.attr] = c.attr, str(c.val)
	}
	if len(conds) == 0 {
		return nil, nil, nil
	}
	return aws.String(strings.Join(conds, " AND ")), names, values
}

// fingerprint identifies the org and the equality filters a cursor belongs to.
func (f Filter) fingerprint(org string) string {
	b, _ := json.Marshal([]string{org, f.Action, f.Actor, f.TargetID, f.Workspace})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// monthOf returns the first instant of t's month, in UTC.
func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(v string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return c, fmt.Errorf("cursor encoding: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("cursor content: %w", err)
	}
	if len(c.Month) != len(monthKey) || c.SK == "" {
		return c, fmt.Errorf("cursor is incomplete")
	}
	return c, nil
}
