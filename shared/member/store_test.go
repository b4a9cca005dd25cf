package member_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/member"
)

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	db := sc.DynamoDB

	ada, err := store.Add(ctx, db, org, member.Member{Email: "  Ada@Example.com ", Name: " Ada Lovelace ", Role: member.Owner})
	if err != nil {
		t.Fatal(err)
	}
	if !id.Valid(id.Member, ada.ID) || ada.Email != "Ada@Example.com" || ada.Name != "Ada Lovelace" || !ada.Created.Equal(now) {
		t.Fatalf("added %+v", ada)
	}
	bob := add(t, sc, org, "bob@example.com", member.Developer)
	cy := add(t, sc, org, "Cy@example.org", member.Viewer)

	got, err := store.Get(ctx, db, org, ada.ID)
	if err != nil || got != ada {
		t.Fatalf("get: %+v %v, want %+v", got, err, ada)
	}

	list, err := store.List(ctx, db, org)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != ada.ID || list[1].ID != bob.ID || list[2].ID != cy.ID {
		t.Fatalf("list not sorted by email: %+v", list)
	}
	if list[1] != bob {
		t.Fatalf("listed %+v, want %+v", list[1], bob)
	}

	bob2, err := store.SetRole(ctx, db, org, bob.ID, member.Admin)
	if err != nil || bob2.Role != member.Admin {
		t.Fatalf("set role: %+v %v", bob2, err)
	}
	if got, _ := store.Get(ctx, db, org, bob.ID); got.Role != member.Admin {
		t.Fatalf("role not stored: %+v", got)
	}
	if same, err := store.SetRole(ctx, db, org, bob.ID, member.Admin); err != nil || same != bob2 {
		t.Fatalf("setting the same role: %+v %v", same, err)
	}
	// Promoting and demoting another owner keeps the counter exact.
	if _, err := store.SetRole(ctx, db, org, cy.ID, member.Owner); err != nil {
		t.Fatal(err)
	}
	if n := owners(t, sc, org); n != 2 {
		t.Fatalf("%d owners after promotion", n)
	}
	if _, err := store.SetRole(ctx, db, org, ada.ID, member.Viewer); err != nil {
		t.Fatal(err)
	}
	if n := owners(t, sc, org); n != 1 {
		t.Fatalf("%d owners after demotion", n)
	}

	if err := store.Remove(ctx, db, org, bob.ID); err != nil {
		t.Fatal(err)
	}
	_, err = store.Get(ctx, db, org, bob.ID)
	wantCode(t, err, apperr.NotFound, "member_not_found")
	wantCode(t, store.Remove(ctx, db, org, bob.ID), apperr.NotFound, "member_not_found")
	_, err = store.SetRole(ctx, db, org, bob.ID, member.Viewer)
	wantCode(t, err, apperr.NotFound, "member_not_found")
	if list, _ := store.List(ctx, db, org); len(list) != 2 {
		t.Fatalf("%d members after remove", len(list))
	}

	// Removing a member frees the email.
	again := add(t, sc, org, "BOB@example.com", member.Viewer)
	if again.ID == bob.ID {
		t.Fatal("re-added member reused the old ID")
	}
}

func TestAddKeepsGivenIDAndCreated(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	want := member.Member{ID: id.New(id.Member), Email: "kept@example.com", Role: member.Viewer,
		Created: time.Date(2025, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))}
	m, err := store.Add(ctx, sc.DynamoDB, org, want)
	if err != nil || m.ID != want.ID || !m.Created.Equal(want.Created) {
		t.Fatalf("add: %+v %v", m, err)
	}
	got, err := store.Get(ctx, sc.DynamoDB, org, want.ID)
	if err != nil || got != m {
		t.Fatalf("get: %+v %v, want %+v", got, err, m)
	}
	_, err = store.Add(ctx, sc.DynamoDB, org, member.Member{ID: want.ID, Email: "other@example.com", Role: member.Viewer})
	wantCode(t, err, apperr.Conflict, "member_exists")
}

func TestDuplicateEmailIsRefused(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	first := add(t, sc, org, "Grace@Example.com", member.Admin)
	for _, dup := range []string{"Grace@Example.com", "grace@example.com", " GRACE@EXAMPLE.COM\t"} {
		_, err := store.Add(ctx, sc.DynamoDB, org, member.Member{Email: dup, Role: member.Owner})
		wantCode(t, err, apperr.Conflict, "member_exists")
	}
	list, err := store.List(ctx, sc.DynamoDB, org)
	if err != nil || len(list) != 1 || list[0] != first {
		t.Fatalf("after refused duplicates: %+v %v", list, err)
	}
	if n := owners(t, sc, org); n != 0 {
		t.Fatalf("a refused owner was counted: %d", n)
	}
	// Emails are unique per org, not globally.
	other, osc := newOrg(t)
	add(t, osc, other, "grace@example.com", member.Owner)
}

func TestInvalidInputs(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	ok := member.Member{Email: "ok@example.com", Name: "Ok", Role: member.Viewer}
	with := func(f func(*member.Member)) member.Member { m := ok; f(&m); return m }
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com" // 254 bytes

	for _, c := range []struct {
		name string
		m    member.Member
		code string
	}{
		{"empty email", with(func(m *member.Member) { m.Email = "" }), "invalid_email"},
		{"blank email", with(func(m *member.Member) { m.Email = "   " }), "invalid_email"},
		{"no at sign", with(func(m *member.Member) { m.Email = "ada.example.com" }), "invalid_email"},
		{"no domain dot", with(func(m *member.Member) { m.Email = "ada@localhost" }), "invalid_email"},
		{"trailing dot", with(func(m *member.Member) { m.Email = "ada@example." }), "invalid_email"},
		{"display name", with(func(m *member.Member) { m.Email = "Ada <ada@example.com>" }), "invalid_email"},
		{"angle brackets", with(func(m *member.Member) { m.Email = "<ada@example.com>" }), "invalid_email"},
		{"space inside", with(func(m *member.Member) { m.Email = "a da@example.com" }), "invalid_email"},
		{"two addresses", with(func(m *member.Member) { m.Email = "a@example.com,b@example.com" }), "invalid_email"},
		{"invalid utf-8", with(func(m *member.Member) { m.Email = "ad\xffa@example.com" }), "invalid_email"},
		{"email too long", with(func(m *member.Member) { m.Email = "x" + long }), "email_too_long"},
		{"name too long", with(func(m *member.Member) { m.Name = strings.Repeat("é", 101) }), "name_too_long"},
		{"name invalid utf-8", with(func(m *member.Member) { m.Name = "Ad\xffa" }), "invalid_name"},
		{"name control char", with(func(m *member.Member) { m.Name = "Ada\x00" }), "invalid_name"},
		{"no role", with(func(m *member.Member) { m.Role = "" }), "invalid_role"},
		{"unknown role", with(func(m *member.Member) { m.Role = "superuser" }), "invalid_role"},
		{"bad id", with(func(m *member.Member) { m.ID = "usr_short" }), "invalid_member_id"},
		{"foreign id", with(func(m *member.Member) { m.ID = id.New(id.Token) }), "invalid_member_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.Add(ctx, sc.DynamoDB, org, c.m)
			wantCode(t, err, apperr.Invalid, c.code)
		})
	}
	t.Run("limits are inclusive", func(t *testing.T) {
		m := member.Member{Email: long, Name: strings.Repeat("é", 100), Role: member.Viewer}
		if _, err := store.Add(ctx, sc.DynamoDB, org, m); err != nil {
			t.Fatalf("254-byte email and 100-character name refused: %v", err)
		}
	})
	t.Run("unicode address", func(t *testing.T) {
		if _, err := store.Add(ctx, sc.DynamoDB, org, member.Member{Email: "jörg@exämple.de", Role: member.Viewer}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("set role", func(t *testing.T) {
		m := add(t, sc, org, "role@example.com", member.Viewer)
		_, err := store.SetRole(ctx, sc.DynamoDB, org, m.ID, "root")
		wantCode(t, err, apperr.Invalid, "invalid_role")
	})
	t.Run("malformed member id", func(t *testing.T) {
		_, err := store.Get(ctx, sc.DynamoDB, org, "usr_#x")
		wantCode(t, err, apperr.NotFound, "member_not_found")
	})
	t.Run("invalid org", func(t *testing.T) {
		_, err := store.List(ctx, sc.DynamoDB, org+"#WS#x")
		wantCode(t, err, apperr.Invalid, "invalid_org")
	})
	if list, _ := store.List(ctx, sc.DynamoDB, org); len(list) != 3 {
		t.Fatalf("invalid members were stored: %+v", list)
	}
}
