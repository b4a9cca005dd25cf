package verify

import (
	"fmt"
	"math"

	"github.com/tollgate-dev/tollgate/shared/recommend"
)

// storeLimit bounds the magnitude of a stored number. DynamoDB numbers
// range over magnitudes 1e-130 to 1e126 and JSON has no NaN or infinity,
// yet Welch answers ±Inf when neither window varies, and a p-value can
// underflow to 1e-300: such values are clamped to ±storeLimit, or zeroed
// below 1/storeLimit, and the check's Note says so.
const storeLimit = 1e100

// storable returns x as it can be stored and, when it had to change, a
// note naming name and the original value.
func storable(name string, x float64) (float64, string) {
	switch {
	case math.IsNaN(x):
		return 0, name + " NaN stored as 0"
	case x > storeLimit:
		return storeLimit, fmt.Sprintf("%s %v stored as %g", name, x, storeLimit)
	case x < -storeLimit:
		return -storeLimit, fmt.Sprintf("%s %v stored as %g", name, x, -storeLimit)
	case x != 0 && math.Abs(x) < 1/storeLimit:
		return 0, fmt.Sprintf("%s %.3g stored as 0", name, x)
	}
	return x, ""
}

// storableCheck is c with every number storable, the changes noted.
func storableCheck(c recommend.Check) recommend.Check {
	for _, f := range []struct {
		name string
		v    *float64
	}{
		{"statistic", &c.Statistic}, {"p", &c.P}, {"alpha", &c.Alpha}, {"effect", &c.Effect},
		{"min effect", &c.MinEffect}, {"expected", &c.Expected},
		{"before mean", &c.Before.Mean}, {"after mean", &c.After.Mean},
	} {
		var note string
		*f.v, note = storable(f.name, *f.v)
		c.Note = join(c.Note, note)
	}
	return c
}
