package workspace

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// OrgPatch changes some of an org's settings; a nil field is left as it is.
// Price overrides are not patchable here: they are validated as a table and
// written with PutOrg.
type OrgPatch struct {
	Name            *string
	MonthlyCap      *pricing.NanoUSD
	AlertThresholds *[]int
}

var errOrgNotFound = apperr.New(apperr.NotFound, "org_not_found", "no such organization")

// UpdateOrg applies p to org's settings item and returns the org as it was
// and as it is now, for the audit log. Like UpdateSettings it is a
// read-modify-write conditional on the item's rev, so concurrent patches
// never lose a field, and it leaves every attribute it does not patch
// (price overrides included) as it found it. It drops this instance's
// cached snapshots of all of org's workspaces.
func (s *Store) UpdateOrg(ctx context.Context, db AdminDB, org string, p OrgPatch) (before, after Org, err error) {
	if p.Name != nil && !ValidName(*p.Name) {
		return Org{}, Org{}, invalid("invalid_name", "name", "name must be 1-100 characters of text")
	}
	if err := checkCap(p.MonthlyCap); err != nil {
		return Org{}, Org{}, err
	}
	if err := checkThresholds(p.AlertThresholds); err != nil {
		return Org{}, Org{}, err
	}
	defer s.invalidateOrg(org)
	old, cur, err := s.revUpdate(ctx, db, "update org", OrgPK(org), skOrg, errOrgNotFound, func(map[string]types.AttributeValue) (change, error) {
		var ch change
		if p.Name != nil {
			ch.put("name", *p.Name)
		}
		if p.MonthlyCap != nil {
			ch.put("monthly_cap_nano", int64(*p.MonthlyCap))
		}
		if p.AlertThresholds != nil {
			if len(*p.AlertThresholds) == 0 {
				ch.remove = append(ch.remove, "alert_thresholds")
			} else {
				ch.put("alert_thresholds", *p.AlertThresholds)
			}
		}
		return ch, nil
	})
	if err != nil {
		return Org{}, Org{}, err
	}
	if before, err = decodeOrg(old); err != nil {
		return Org{}, Org{}, err
	}
	if after, err = decodeOrg(cur); err != nil {
		return Org{}, Org{}, err
	}
	return before, after, nil
}

func decodeOrg(item map[string]types.AttributeValue) (Org, error) {
	var oi orgItem
	if err := attributevalue.UnmarshalMap(item, &oi); err != nil {
		return Org{}, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
	}
	return Org{Name: oi.Name, MonthlyCap: pricing.NanoUSD(oi.MonthlyCap), PriceOverrides: oi.PriceOverrides,
		AlertThresholds: oi.AlertThresholds}, nil
}
