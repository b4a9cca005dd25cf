package enforcer

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/infra/iampolicy"
)

// supportedKeys are the condition keys the enforcer puts in request contexts
// (or knows to be absent locally exactly as they are in AWS for direct
// calls). Prefixes end with '/' or ':'.
var supportedKeys = map[string]bool{
	"aws:principalarn":                true,
	"aws:principalaccount":            true,
	"aws:principaltype":               true,
	"aws:userid":                      true,
	"aws:username":                    true,
	"aws:requestedregion":             true,
	"aws:securetransport":             true,
	"aws:tagkeys":                     true,
	"aws:calledvia":                   true,
	"aws:viaawsservice":               true,
	"dynamodb:leadingkeys":            true,
	"dynamodb:select":                 true,
	"dynamodb:returnvalues":           true,
	"dynamodb:returnconsumedcapacity": true,
	"kms:encryptioncontextkeys":       true,
	"kms:calleraccount":               true,
	"kms:requestalias":                true,
	"kms:encryptionalgorithm":         true,
	"kms:viaservice":                  true,
	"sts:rolesessionname":             true,
	"sts:transitivetagkeys":           true,
}

var supportedPrefixes = []string{"aws:principaltag/", "aws:requesttag/", "kms:encryptioncontext:"}

// checkConditionKeys refuses roles whose policies test a key the enforcer
// does not compute: such a key would be absent from every request, which
// makes ForAllValues conditions vacuously true and Allows wider than in AWS.
func checkConditionKeys(r *role) error {
	all := append(append([]iampolicy.Policy{r.trust}, r.policies...), r.boundary...)
	for _, p := range all {
		for _, k := range p.ConditionKeys() {
			if supportedKeys[k] {
				continue
			}
			ok := false
			for _, pre := range supportedPrefixes {
				if strings.HasPrefix(k, pre) && len(k) > len(pre) {
					ok = true
				}
			}
			if !ok {
				return fmt.Errorf("policy %q tests condition key %q, which the local enforcing endpoint does not supply", p.Name, k)
			}
		}
	}
	return nil
}
