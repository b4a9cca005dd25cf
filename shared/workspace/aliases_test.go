package workspace_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

func tg(s string) workspace.Target {
	t, ok := workspace.ParseTarget(s)
	if !ok {
		panic(s)
	}
	return t
}

func TestAliasVersionsAndRollback(t *testing.T) {
	f := newFixture(t)
	t0 := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	saves := []struct {
		actor   string
		targets []workspace.Target
	}{
		{"mem_alice", []workspace.Target{tg("openai/gpt-4o"), tg("mock/mock-small")}},
		{"mem_bob", []workspace.Target{tg("anthropic/claude-haiku-4-5")}},
		{"tok_carol", []workspace.Target{tg("together/meta-llama/Llama-3-8b"), tg("mock/mock-tiny")}},
	}
	for i, s := range saves {
		a, err := f.st.SaveAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default", s.targets, s.actor, t0.Add(time.Duration(i)*time.Minute))
		if err != nil || a.Version != int64(i+1) || !reflect.DeepEqual(a.Targets, s.targets) {
			t.Fatalf("save %d: %+v %v", i+1, a, err)
		}
	}
	hist, err := f.st.AliasHistory(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default")
	if err != nil || len(hist) != 3 {
		t.Fatalf("history: %+v %v", hist, err)
	}
	for i, v := range hist { // newest first
		s := saves[2-i]
		if v.Version != int64(3-i) || v.Actor != s.actor || !reflect.DeepEqual(v.Targets, s.targets) ||
			!v.Time.Equal(t0.Add(time.Duration(2-i)*time.Minute)) {
			t.Fatalf("history[%d] = %+v", i, v)
		}
	}

	a, err := f.st.RollbackAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default", 1, "mem_dave", t0.Add(time.Hour))
	if err != nil || a.Version != 4 || !reflect.DeepEqual(a.Targets, saves[0].targets) {
		t.Fatalf("rollback: %+v %v", a, err)
	}
	snap, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || !reflect.DeepEqual(snap.Aliases["default"], a) {
		t.Fatalf("Load after rollback: %+v %v", snap.Aliases, err)
	}
	if hist, err = f.st.AliasHistory(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default"); err != nil || len(hist) != 4 ||
		hist[0].Version != 4 || hist[0].Actor != "mem_dave" {
		t.Fatalf("history after rollback: %+v %v", hist, err)
	}
	_, err = f.st.RollbackAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default", 99, "mem_dave", t0)
	wantCode(t, "rollback to an unsaved version", err, apperr.NotFound, "alias_version_not_found", "")

	if _, err := f.st.SaveAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "cheap", saves[1].targets, "mem_alice", t0); err != nil {
		t.Fatal(err)
	}
	list, err := f.st.ListAliases(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || len(list) != 2 || list[0].Name != "cheap" || list[1].Name != "default" || list[1].Version != 4 {
		t.Fatalf("list: %+v %v", list, err)
	}

	// Deleting stops routing but keeps history; saving again continues it.
	if err := f.st.DeleteAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "second delete", f.st.DeleteAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default"), apperr.NotFound, "alias_not_found", "")
	if snap, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws); err != nil || len(snap.Aliases) != 1 {
		t.Fatalf("Load after delete: %+v %v", snap, err)
	}
	if a, err := f.st.RollbackAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default", 2, "mem_erin", t0); err != nil || a.Version != 5 {
		t.Fatalf("restore after delete: %+v %v", a, err)
	}
	if hist, err = f.st.AliasHistory(f.ctx, f.sc.DynamoDB, f.org, f.ws, "default"); err != nil || len(hist) != 5 {
		t.Fatalf("history after delete and restore: %+v %v", hist, err)
	}
	_, err = f.st.AliasHistory(f.ctx, f.sc.DynamoDB, f.org, f.ws, "never")
	wantCode(t, "history of an absent alias", err, apperr.NotFound, "alias_not_found", "")
}

func TestSaveAliasValidation(t *testing.T) {
	f := newFixture(t)
	ok := []workspace.Target{tg("openai/gpt-4o")}
	nine := make([]workspace.Target, 9)
	for i := range nine {
		nine[i] = tg(fmt.Sprintf("openai/m%d", i))
	}
	cases := []struct {
		name, alias string
		targets     []workspace.Target
		code, param string
	}{
		{"empty name", "", ok, "invalid_alias_name", "name"},
		{"upper case", "Default", ok, "invalid_alias_name", "name"},
		{"leading dash", "-x", ok, "invalid_alias_name", "name"},
		{"65 bytes", strings.Repeat("a", 65), ok, "invalid_alias_name", "name"},
		{"slash", "a/b", ok, "invalid_alias_name", "name"},
		{"hash", "a#b", ok, "invalid_alias_name", "name"},
		{"no targets", "x", nil, "invalid_targets", "targets"},
		{"nine targets", "x", nine, "invalid_targets", "targets"},
		{"empty connection", "x", []workspace.Target{{Model: "m"}}, "invalid_targets", "targets"},
		{"bad connection", "x", []workspace.Target{{Connection: "Open AI", Model: "m"}}, "invalid_targets", "targets"},
		{"empty model", "x", []workspace.Target{{Connection: "openai"}}, "invalid_targets", "targets"},
		{"model with space", "x", []workspace.Target{{Connection: "openai", Model: "gpt 4o"}}, "invalid_targets", "targets"},
		{"duplicate", "x", []workspace.Target{tg("openai/a"), tg("openai/a")}, "invalid_targets", "targets"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.st.SaveAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, c.alias, c.targets, "mem_a", time.Now())
			wantCode(t, c.name, err, apperr.Invalid, c.code, c.param)
		})
	}
	_, err := f.st.SaveAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "x", ok, "", time.Now())
	wantCode(t, "no actor", err, apperr.Invalid, "invalid_actor", "actor")
	if list, err := f.st.ListAliases(f.ctx, f.sc.DynamoDB, f.org, f.ws); err != nil || len(list) != 0 {
		t.Fatalf("refused saves stored something: %+v %v", list, err)
	}
	if a, err := f.st.SaveAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "a.b_c-9", nine[:8], "mem_a", time.Now()); err != nil || a.Version != 1 {
		t.Fatalf("eight targets: %+v %v", a, err)
	}
}

// Concurrent saves race for each next version: exactly one wins it, the
// rest get alias_changed, and history is 1..N without a gap, each version
// holding the targets of the save that won it.
func TestSaveAliasConcurrent(t *testing.T) {
	f := newFixture(t)
	const rounds, racers = 5, 8
	won := map[int64]workspace.Target{}
	for r := range rounds {
		type result struct {
			a   workspace.Alias
			err error
		}
		results := make([]result, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tgt := tg(fmt.Sprintf("mock/r%d-g%d", r, i))
				a, err := f.st.SaveAlias(f.ctx, f.sc.DynamoDB, f.org, f.ws, "racy", []workspace.Target{tgt}, fmt.Sprintf("g%d", i), time.Now())
				results[i] = result{a, err}
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for i, res := range results {
			if res.err != nil {
				wantCode(t, fmt.Sprintf("round %d racer %d", r, i), res.err, apperr.Conflict, "alias_changed", "")
				continue
			}
			wins++
			if _, dup := won[res.a.Version]; dup {
				t.Fatalf("version %d was won twice", res.a.Version)
			}
			won[res.a.Version] = res.a.Targets[0]
		}
		if wins == 0 {
			t.Fatalf("round %d: nobody won", r)
		}
		t.Logf("round %d: %d of %d saves won", r, wins, racers)
	}
	hist, err := f.st.AliasHistory(f.ctx, f.sc.DynamoDB, f.org, f.ws, "racy")
	if err != nil || len(hist) != len(won) {
		t.Fatalf("history has %d versions, %d saves won: %v", len(hist), len(won), err)
	}
	for i, v := range hist {
		if want := int64(len(hist) - i); v.Version != want || v.Targets[0] != won[want] {
			t.Fatalf("history[%d] = %+v, want version %d targeting %v", i, v, want, won[want])
		}
	}
	snap, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || snap.Aliases["racy"].Version != int64(len(won)) {
		t.Fatalf("Load: %+v %v", snap.Aliases["racy"], err)
	}
}
