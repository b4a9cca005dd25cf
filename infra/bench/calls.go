package bench

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/infra/enforcer"
)

// Calls is the AWS traffic of a window of gateway requests: what the
// enforcing endpoint counted, with the meter's capacity units and round
// trips beside it.
type Calls struct {
	// Requests is the number of gateway requests in the window.
	Requests int
	// Ops has one entry per "service:Operation", sorted.
	Ops []OpCalls
	// WriteUnits and ReadUnits are DynamoDB request units in the window.
	WriteUnits, ReadUnits float64
	// AssumedSizes counts item writes whose size could not be read back
	// (billed here as one unit each).
	AssumedSizes int
	// ItemsByKind counts the items written by the kind their key names
	// (ORG#<org>#BUDGET#… is "BUDGET"; ORG#<org> with sort key TRACEDAY#…
	// is "TRACEDAY"), to show what each write is for.
	ItemsByKind map[string]int
}

// OpCalls is one operation's share of a window.
type OpCalls struct {
	Op string // "dynamodb:TransactWriteItems"
	// Counted is the enforcing endpoint's count; Metered the meter's
	// (they agree unless something else called AWS in the window).
	Counted, Metered int
	// Failed calls were answered with an error (e.g. a transaction conflict).
	Failed int
	// Items is how many items the operation's calls wrote; ItemCounts
	// the distinct numbers of items one call wrote, ascending.
	Items      int
	ItemCounts []int
	WriteUnits float64
	ReadUnits  float64
	// RoundTrip is the median time the call took through the local stack.
	RoundTrip time.Duration
}

// Service returns the operation's service ("dynamodb").
func (o OpCalls) Service() string {
	s, _, _ := strings.Cut(o.Op, ":")
	return s
}

// summarizeCalls joins the enforcer's counts with the meter's records.
func summarizeCalls(requests int, st enforcer.Stats, calls []awsCall, assumed int) Calls {
	type acc struct {
		op    OpCalls
		trips []time.Duration
	}
	byOp := map[string]*acc{}
	get := func(k string) *acc {
		if byOp[k] == nil {
			byOp[k] = &acc{op: OpCalls{Op: k}}
		}
		return byOp[k]
	}
	for k, c := range st.Operations {
		get(k).op.Counted = int(c.Requests)
	}
	out := Calls{Requests: requests, AssumedSizes: assumed, ItemsByKind: map[string]int{}}
	for _, c := range calls {
		a := get(c.Service + ":" + c.Op)
		a.op.Metered++
		a.trips = append(a.trips, c.Duration)
		if c.Status != 200 {
			a.op.Failed++
		}
		for _, w := range c.Writes {
			u := writeUnits(max(w.Size, 0), w.Transactional)
			a.op.Items++
			a.op.WriteUnits += u
			out.WriteUnits += u
			out.ItemsByKind[keyKind(w.Key)]++
		}
		if n := len(c.Writes); n > 0 && !slices.Contains(a.op.ItemCounts, n) {
			a.op.ItemCounts = append(a.op.ItemCounts, n)
		}
		a.op.ReadUnits += c.ReadUnits
		out.ReadUnits += c.ReadUnits
	}
	for _, k := range slices.Sorted(maps.Keys(byOp)) {
		a := byOp[k]
		a.op.RoundTrip = NewDist(a.trips).P(50)
		slices.Sort(a.op.ItemCounts)
		out.Ops = append(out.Ops, a.op)
	}
	return out
}

// PerRequest is n divided over the window's requests.
func (c Calls) PerRequest(n float64) float64 {
	if c.Requests == 0 {
		return 0
	}
	return n / float64(c.Requests)
}

// ServiceCalls is the number of calls to one service in the window, as the
// enforcing endpoint counted them.
func (c Calls) ServiceCalls(service string) int {
	n := 0
	for _, o := range c.Ops {
		if o.Service() == service {
			n += o.Counted
		}
	}
	return n
}

// keyKind names what an item is for from its key ("pk|sk"): the segment
// after the org in the partition key, or the sort key's first segment for
// the org's own partition.
func keyKind(key string) string {
	pk, sk, _ := strings.Cut(key, "|")
	parts := strings.Split(pk, "#")
	if len(parts) >= 3 {
		return parts[2]
	}
	kind, _, _ := strings.Cut(sk, "#")
	return kind
}
