package bench

import (
	"fmt"
	"strings"
	"time"
)

// msf renders a duration in milliseconds with two decimals.
func msf(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}

// signed renders a difference in milliseconds with its sign: "+1.25", "-0.30".
func signed(d time.Duration) string {
	if d < 0 {
		return msf(d)
	}
	return "+" + msf(d)
}

// triple renders a summary as "p50 / p90 / p99" in milliseconds.
func triple(s Summary) string {
	return msf(s.P50) + " / " + msf(s.P90) + " / " + msf(s.P99)
}

// ratio renders a/b as "1.23×", or "n/a" when b is not positive.
func ratio(a, b float64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// mib renders bytes as MiB with one decimal.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// table writes a Markdown table.
func table(b *strings.Builder, head []string, rows [][]string) {
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for range head {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n")
}

// ints renders numbers as "6, 10".
func ints(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
