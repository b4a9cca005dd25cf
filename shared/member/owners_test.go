package member_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/member"
)

func TestLastOwnerCannotBeDemotedOrRemoved(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	db := sc.DynamoDB
	ada := add(t, sc, org, "ada@example.com", member.Owner)
	add(t, sc, org, "bob@example.com", member.Admin)

	for _, r := range []member.Role{member.Admin, member.Developer, member.Viewer} {
		_, err := store.SetRole(ctx, db, org, ada.ID, r)
		wantCode(t, err, apperr.Conflict, "last_owner")
	}
	wantCode(t, store.Remove(ctx, db, org, ada.ID), apperr.Conflict, "last_owner")
	if got, err := store.Get(ctx, db, org, ada.ID); err != nil || got.Role != member.Owner {
		t.Fatalf("last owner changed: %+v %v", got, err)
	}
	if n := owners(t, sc, org); n != 1 {
		t.Fatalf("%d owners", n)
	}

	// With a second owner, the first may go; then the second is the last.
	cy := add(t, sc, org, "cy@example.com", member.Owner)
	if err := store.Remove(ctx, db, org, ada.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, store.Remove(ctx, db, org, cy.ID), apperr.Conflict, "last_owner")
	if n := owners(t, sc, org); n != 1 {
		t.Fatalf("%d owners", n)
	}
}

// release starts fns together and waits for them; each records its error.
func release(fns []func() error) []error {
	errs := make([]error, len(fns))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func TestConcurrentDemotionsOfTheLastTwoOwnersLeaveOne(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			org, sc := newOrg(t)
			a := add(t, sc, org, "a@example.com", member.Owner)
			b := add(t, sc, org, "b@example.com", member.Owner)
			errs := release([]func() error{
				func() error { _, err := store.SetRole(ctx, sc.DynamoDB, org, a.ID, member.Admin); return err },
				func() error { _, err := store.SetRole(ctx, sc.DynamoDB, org, b.ID, member.Admin); return err },
			})
			refused := 0
			for _, err := range errs {
				if err != nil {
					wantCode(t, err, apperr.Conflict, "last_owner")
					refused++
				}
			}
			if refused != 1 {
				t.Fatalf("%d of 2 demotions refused, want exactly 1", refused)
			}
			if n := owners(t, sc, org); n != 1 {
				t.Fatalf("%d owners left, want 1", n)
			}
		})
	}
}

func TestConcurrentOwnerChurnKeepsAnOwnerAndAnExactCount(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	var ids []string
	for i := range 3 {
		ids = append(ids, add(t, sc, org, fmt.Sprintf("owner%d@example.com", i), member.Owner).ID)
	}
	add(t, sc, org, "admin@example.com", member.Admin)

	const workers = 20
	fns := make([]func() error, workers)
	for g := range workers {
		target := ids[g%len(ids)]
		switch g % 4 {
		case 0, 1:
			fns[g] = func() error { _, err := store.SetRole(ctx, sc.DynamoDB, org, target, member.Developer); return err }
		case 2:
			fns[g] = func() error { _, err := store.SetRole(ctx, sc.DynamoDB, org, target, member.Viewer); return err }
		default:
			fns[g] = func() error { return store.Remove(ctx, sc.DynamoDB, org, target) }
		}
	}
	for g, err := range release(fns) {
		if err == nil {
			continue
		}
		switch c := apperr.As(err).Code; c {
		case "last_owner", "member_not_found":
		default:
			t.Errorf("worker %d: unexpected error %v", g, err)
		}
	}
	// Every owner was targeted, so all but the one refused as last are gone.
	if n := owners(t, sc, org); n != 1 {
		t.Fatalf("%d owners left, want exactly 1", n)
	}
}
