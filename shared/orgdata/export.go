package orgdata

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// line is one exported item.
type line struct {
	Family string         `json:"family"`
	Item   map[string]any `json:"item"`
}

// Export writes everything org created to w as JSON Lines, one
// {"family": …, "item": {…}} per item, so an org can take its data with it
// (and a regulator's access request can be answered) without an operator
// scanning the table. Items are written as they are read, never held.
//
// Secrets stay behind: data keys (DATAKEY items) are skipped, and
// attributes named sealed_*, hash, prev_hash or wrapped, and any string
// that is a sealed secret, are left out of the items written: dataset
// chunks, shadow samples, evaluation calls and remembered idempotent
// answers are exported with their keys and metadata but without their
// sealed text. It returns the lines written per family.
func Export(ctx context.Context, db OrgDB, table, org string, w io.Writer) (Counts, error) {
	if err := checkOrg(org); err != nil {
		return nil, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	counts := Counts{}
	visit := func(fam string, it item) error {
		if fam == FamilyDataKey {
			return nil
		}
		if err := enc.Encode(line{Family: fam, Item: plainItem(it)}); err != nil {
			return fmt.Errorf("orgdata: write export: %w", err)
		}
		counts[fam]++
		return nil
	}
	if err := newWalker(db, table, org, time.Now(), visit).run(ctx); err != nil {
		return counts, err
	}
	return counts, nil
}
