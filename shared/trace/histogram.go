package trace

// bounds are the upper edges, in milliseconds, of the latency buckets that
// daily aggregates count (a 1-2-5 series); the last bucket is open-ended.
var bounds = []int64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 300_000}

// bucketCount is len(bounds) plus the open-ended bucket.
var bucketCount = len(bounds) + 1

// bucket returns the index of the bucket holding ms.
func bucket(ms int64) int {
	for i, b := range bounds {
		if ms <= b {
			return i
		}
	}
	return len(bounds)
}

// Histogram counts latencies per bucket, so percentiles can be read from
// aggregates that are only ever added to.
type Histogram struct {
	Buckets []int64
}

// Count is the number of latencies counted.
func (h Histogram) Count() int64 {
	var n int64
	for _, c := range h.Buckets {
		n += c
	}
	return n
}

// Quantile returns the upper edge, in milliseconds, of the bucket holding
// quantile q (0 < q ≤ 1): the true value is at most this. The open-ended
// bucket reports twice the last edge. An empty histogram reports 0.
func (h Histogram) Quantile(q float64) int64 {
	total := h.Count()
	if total == 0 {
		return 0
	}
	rank := int64(q*float64(total) + 0.999999)
	if rank < 1 {
		rank = 1
	}
	var seen int64
	for i, c := range h.Buckets {
		seen += c
		if seen >= rank {
			if i < len(bounds) {
				return bounds[i]
			}
			break
		}
	}
	return 2 * bounds[len(bounds)-1]
}
