package orgdata

import (
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// unavailable is a store failure: the operation stopped part way and is
// safe to run again, so the caller may retry.
func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("orgdata: %s: %w", op, err), apperr.Unavailable, "org_data_unavailable",
		"the organization's data could not be processed; retry shortly").WithRetryAfter(time.Second)
}

func checkOrg(org string) error {
	if !id.Valid(id.Org, org) {
		return apperr.New(apperr.Invalid, "invalid_org", "org is not a valid organization ID").WithParam("org")
	}
	return nil
}

func checkWorkspace(ws string) error {
	if !id.Valid(id.Workspace, ws) {
		return apperr.New(apperr.Invalid, "invalid_workspace", "workspace is not a valid workspace ID").WithParam("workspace")
	}
	return nil
}
