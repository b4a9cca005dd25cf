package orgdata

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// DeleteOrg deletes every item of org, its token lookups and its registry
// entry, and destroys its data keys (destroy is the caller's
// secrets.Envelope.DestroyKeys bound to the org), so that what remains in
// backups and point-in-time recovery cannot be decrypted either.
//
// The steps run in an order that is safe to stop anywhere and rerun:
//
//  1. walk every partition (nothing is changed), learning the token hashes;
//  2. delete the token lookups, so no secret of the org authenticates from
//     here on, even if the run stops before the records go;
//  3. destroy the data keys (crypto-shredding as early as possible);
//  4. delete the derived partitions in the reverse of the walk's order, so
//     what names a partition is deleted only after it (feedback, which
//     only gsi1 lists, is deleted through the index);
//  5. delete the org partition, deleting the lookups of any token record
//     found there first (one created since step 1);
//  6. delete the registry entry, which marks the deletion finished.
//
// A rerun finds what is left and finishes; on a deleted org it changes
// nothing and reports zero counts. Stop writes to the org (disable its
// tokens and members) before calling, or a concurrent write may outlive it.
func DeleteOrg(ctx context.Context, db OrgDB, global GlobalDB, destroy func(context.Context) error, table, org string) (Counts, error) {
	if err := checkOrg(org); err != nil {
		return nil, err
	}
	if destroy == nil {
		return nil, apperr.New(apperr.Internal, "no_key_destroyer", "internal error")
	}
	w := newWalker(db, table, org, time.Now(), nil)
	if err := w.run(ctx); err != nil {
		return nil, err
	}
	counts := Counts{}
	gone := map[string]bool{}
	if err := deleteLookups(ctx, global, table, org, w.ix.hashes, gone, counts); err != nil {
		return counts, err
	}
	if err := destroy(ctx); err != nil {
		kind := apperr.Unavailable
		if ae := (*apperr.Error)(nil); errors.As(err, &ae) {
			kind = ae.Kind
		}
		return counts, apperr.Wrap(fmt.Errorf("orgdata: destroy data keys: %w", err), kind, "key_destruction_failed",
			"the organization's keys could not be destroyed; retry shortly")
	}
	counts[FamilyDataKey] += w.ix.dataKeys
	for i := len(w.found) - 1; i >= 0; i-- {
		if src := w.found[i]; src != (source{pk: orgPK(org)}) {
			if err := purgeSource(ctx, db, table, org, src, counts); err != nil {
				return counts, err
			}
		}
	}
	if err := deleteOrgPartition(ctx, db, global, table, org, gone, counts); err != nil {
		return counts, err
	}
	if err := deleteRegistry(ctx, global, table, org, counts); err != nil {
		return counts, err
	}
	return counts, nil
}

// deleteOrgPartition deletes ORG#<org> last, each page's token lookups
// before its token records.
func deleteOrgPartition(ctx context.Context, db OrgDB, global GlobalDB, table, org string, gone map[string]bool, counts Counts) error {
	in := partitionQuery(table, orgPK(org))
	in.ProjectionExpression = aws.String("pk, sk, #h, prev_hash")
	in.ExpressionAttributeNames = map[string]string{"#h": "hash"}
	return purge(ctx, db, table, org, "delete "+orgPK(org), in, counts, func(page []item) error {
		hashes := map[string]bool{}
		for _, it := range page {
			if !strings.HasPrefix(str(it, "sk"), "TOKEN#") {
				continue
			}
			for _, h := range []string{str(it, "hash"), str(it, "prev_hash")} {
				if h != "" {
					hashes[h] = true
				}
			}
		}
		return deleteLookups(ctx, global, table, org, hashes, gone, counts)
	})
}
