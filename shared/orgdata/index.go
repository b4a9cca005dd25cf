package orgdata

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type item = map[string]types.AttributeValue

// index is what the org's own items say about where the rest of its data
// lives. Without Scan, every partition outside ORG#<org> must be named by
// something read before it, or listed in gsi1 under the org's key as
// feedback is (see doc.go for the rules).
type index struct {
	workspaces map[string]bool            // workspace IDs: budget/rate scopes (also eval:<ws>) and per-workspace partitions
	scopes     map[string]bool            // other budget/rate scopes: "org" and token IDs
	counters   map[string]bool            // exact BUDGET#/RATE# partitions reservations name
	traceDays  map[string]bool            // yyyymmdd days that may hold traces
	hashes     map[string]bool            // token hashes (current and previous) of the org's tokens
	runs       map[string]bool            // evaluation run IDs: EVAL# partitions and budget scopes
	datasets   map[string]bool            // dataset IDs: DS# chunk partitions
	aliases    map[string]map[string]bool // workspace → alias names: SHADOW# partitions
	oldest     time.Time                  // the earliest creation time the org partition records
	dataKeys   int                        // DATAKEY items seen
}

func newIndex() index {
	return index{workspaces: map[string]bool{}, scopes: map[string]bool{"org": true}, counters: map[string]bool{},
		traceDays: map[string]bool{}, hashes: map[string]bool{}, runs: map[string]bool{}, datasets: map[string]bool{},
		aliases: map[string]map[string]bool{}}
}

// observe learns from one item of family fam in partition pk.
func (ix *index) observe(org, fam, pk string, it item) {
	sk := str(it, "sk")
	switch fam {
	case FamilyDirectory:
		ix.addWorkspace(strings.TrimPrefix(sk, "WS#"))
		ix.seen(str(it, "created_at"))
	case FamilyMember:
		ix.seen(str(it, "created"))
	case FamilyToken:
		ix.addScope(strings.TrimPrefix(sk, "TOKEN#"))
		ix.addWorkspace(str(it, "workspace"))
		ix.seen(str(it, "created_at"))
		for _, h := range []string{str(it, "hash"), str(it, "prev_hash")} {
			if h != "" {
				ix.hashes[h] = true
			}
		}
	case FamilyDataKey:
		ix.dataKeys++
		ix.seen(str(it, "created_at"))
	case FamilyExpiry:
		// EXPIRES#<expiry day>#<trace day>#<part>
		if parts := strings.Split(sk, "#"); len(parts) == 4 {
			ix.addDay(parts[2])
		}
		ix.addDay(str(it, "day"))
	case FamilyReservation:
		for _, attr := range []string{"budgets", "rates"} {
			l, _ := it[attr].(*types.AttributeValueMemberL)
			if l == nil {
				continue
			}
			for _, v := range l.Value {
				s, _ := v.(*types.AttributeValueMemberS)
				if s == nil {
					continue
				}
				p, _, _ := strings.Cut(s.Value, "|")
				if strings.HasPrefix(p, orgPK(org)+"#BUDGET#") || strings.HasPrefix(p, orgPK(org)+"#RATE#") {
					ix.counters[p] = true
				}
			}
		}
	case FamilyAudit:
		ix.addWorkspace(str(it, "workspace"))
		ix.addID(str(it, "target_id"))
		if str(it, "actor_kind") == "token" {
			ix.addScope(str(it, "actor"))
		}
	case FamilyAggregate:
		ix.addDay(strings.TrimPrefix(pk, orgPK(org)+"#AGG#"))
		ix.addWorkspaceAlias(it)
	case FamilyTrace:
		ix.addWorkspace(str(it, "workspace"))
		ix.addScope(str(it, "token_id"))
		ix.addAlias(str(it, "workspace"), str(it, "alias"))
	default:
		ix.observeSavings(org, fam, pk, it)
	}
}

// addID adds a token, workspace, run or dataset ID an audit entry
// targets (a budget alert targets its counter's scope, which may be a run).
func (ix *index) addID(v string) {
	switch {
	case strings.HasPrefix(v, "ws_"):
		ix.addWorkspace(v)
	case strings.HasPrefix(v, "tok_"):
		ix.addScope(v)
	case strings.HasPrefix(v, "run_"):
		ix.addRun(v)
	case strings.HasPrefix(v, "ds_"):
		ix.addDataset(v)
	}
}

func (ix *index) addWorkspace(ws string) {
	if keyPart(ws) {
		ix.workspaces[ws] = true
	}
}

func (ix *index) addScope(s string) {
	if keyPart(s) {
		ix.scopes[s] = true
	}
}

func (ix *index) addDay(d string) {
	if _, err := time.Parse("20060102", d); err == nil {
		ix.traceDays[d] = true
	}
}

func (ix *index) seen(rfc3339 string) {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err == nil && (ix.oldest.IsZero() || t.Before(ix.oldest)) {
		ix.oldest = t.UTC()
	}
}

// keyPart reports whether v can be one segment of a partition key.
func keyPart(v string) bool { return v != "" && len(v) <= 128 && !strings.Contains(v, "#") }

func str(it item, k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }
