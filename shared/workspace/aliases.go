package workspace

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/ddbtx"
)

// Every saved alias version is kept, so a bad routing change can be seen
// and undone:
//
//	ORG#<org>#WS#<ws>           ALIAS#<name>                 current version (what the gateway reads)
//	ORG#<org>#WS#<ws>#ALIASV    ALIASV#<name>#<%010d ver>    every version: targets, actor, time
//
// History lives in its own partition because Load queries the whole
// workspace partition on every cache miss: history kept there would make
// each gateway cold read grow with every edit ever made.
const (
	skAliasVerPre = "ALIASV#"
	// MaxAliasTargets bounds an alias's fallback chain.
	MaxAliasTargets = 8
)

func aliasHistoryPK(org, ws string) string { return PK(org, ws) + "#ALIASV" }

func aliasVersionSK(name string, v int64) string {
	return fmt.Sprintf("%s%s#%010d", skAliasVerPre, name, v)
}

// AliasVersion is one saved version of an alias: who routed it where, when.
type AliasVersion struct {
	Version int64
	Targets []Target
	Actor   string
	Time    time.Time
	// Cites is the recommendation this version applied or undid, if any,
	// so the history says why traffic moved.
	Cites string
}

// AliasChange says who saves an alias version and why.
type AliasChange struct {
	Actor string
	// Cites names the recommendation the version applies or undoes.
	Cites string
	// IfVersion, when not 0, saves only if the alias's current version is
	// still IfVersion (else Conflict alias_changed): a change decided on
	// what the alias looked like must not land on top of someone else's.
	IfVersion int64
}

var (
	aliasNameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	errAliasGone  = apperr.New(apperr.NotFound, "alias_not_found", "no such alias")
	errAliasRaced = apperr.New(apperr.Conflict, "alias_changed", "the alias was changed concurrently; reload it and retry")
)

// ValidAliasName reports whether name can name an alias: lower-case letters,
// digits, '.', '_' and '-', 1-64 bytes, starting with a letter or digit, so
// it can never contain the '/' of a "connection/model" target.
func ValidAliasName(name string) bool { return aliasNameRE.MatchString(name) }

// validTargets requires 1-8 distinct "connection/model" targets naming a
// valid connection; the connection need not exist yet (built-in ones never
// have an item, and the gateway skips a target whose connection is gone).
func validTargets(targets []Target) error {
	if len(targets) == 0 || len(targets) > MaxAliasTargets {
		return invalid("invalid_targets", "targets", "an alias routes to 1-8 targets")
	}
	seen := make(map[Target]bool, len(targets))
	for _, t := range targets {
		if !ValidConnectionName(t.Connection) || !validModelText(t.Model) {
			return invalid("invalid_targets", "targets", "each target must be \"connection/model\" with a valid connection name and model")
		}
		if seen[t] {
			return invalid("invalid_targets", "targets", "the alias lists "+t.String()+" twice")
		}
		seen[t] = true
	}
	return nil
}

// SaveAlias stores targets as alias name's next version, by actor at now,
// and returns it. The current item and the history item are written in one
// transaction, the current one conditional on the version read just before,
// so of two concurrent saves exactly one becomes the next version and the
// other fails with Conflict alias_changed; history never has a gap.
func (s *Store) SaveAlias(ctx context.Context, db AdminDB, org, ws, name string, targets []Target, actor string, now time.Time) (Alias, error) {
	return s.SaveAliasChange(ctx, db, org, ws, name, targets, AliasChange{Actor: actor}, now)
}

// SaveAliasChange is SaveAlias with the change's citation and an optional
// expected current version.
func (s *Store) SaveAliasChange(ctx context.Context, db AdminDB, org, ws, name string, targets []Target, ch AliasChange, now time.Time) (Alias, error) {
	if !ValidAliasName(name) {
		return Alias{}, invalid("invalid_alias_name", "name", "alias names are 1-64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")
	}
	if err := validTargets(targets); err != nil {
		return Alias{}, err
	}
	return s.saveAlias(ctx, db, org, ws, name, targets, ch, now)
}

func (s *Store) saveAlias(ctx context.Context, db AdminDB, org, ws, name string, targets []Target, ch AliasChange, now time.Time) (Alias, error) {
	if ch.Actor == "" || len(ch.Actor) > 200 || !utf8.ValidString(ch.Actor) {
		return Alias{}, invalid("invalid_actor", "actor", "the change needs an actor of 1-200 bytes")
	}
	if len(ch.Cites) > 64 || !utf8.ValidString(ch.Cites) {
		return Alias{}, invalid("invalid_citation", "cites", "a citation is at most 64 bytes")
	}
	cur, exists, err := s.currentAlias(ctx, db, org, ws, name)
	if err != nil {
		return Alias{}, err
	}
	if ch.IfVersion != 0 && (!exists || cur.Version != ch.IfVersion) {
		return Alias{}, errAliasRaced.WithParam("name")
	}
	prev := cur.Version
	if !exists {
		// A deleted alias continues its numbering: its history is kept.
		if prev, err = s.latestVersion(ctx, db, org, ws, name); err != nil {
			return Alias{}, err
		}
	}
	a := Alias{Name: name, Version: prev + 1, Targets: targets}
	strs := make([]string, len(targets))
	for i, t := range targets {
		strs[i] = t.String()
	}
	current, err := attributevalue.MarshalMap(aliasItem{PK: PK(org, ws), SK: skAliasPre + name, Name: name, Version: a.Version, Targets: strs})
	if err != nil {
		return Alias{}, fmt.Errorf("encode alias: %w", err)
	}
	hist, err := attributevalue.MarshalMap(aliasVersionItem{PK: aliasHistoryPK(org, ws), SK: aliasVersionSK(name, a.Version),
		Name: name, Version: a.Version, Targets: strs, Actor: ch.Actor, Time: now.UTC(), Cites: ch.Cites})
	if err != nil {
		return Alias{}, fmt.Errorf("encode alias version: %w", err)
	}
	put := &types.Put{TableName: aws.String(s.cfg.Table), Item: current,
		ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if exists {
		put.ConditionExpression = aws.String("version = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": &types.AttributeValueMemberN{Value: fmt.Sprint(prev)}}
	}
	defer s.Invalidate(org, ws)
	err = ddbtx.Write(ctx, db, []types.TransactWriteItem{
		{Put: put},
		{Put: &types.Put{TableName: aws.String(s.cfg.Table), Item: hist, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}, ddbtx.Options{Timeout: s.cfg.Timeout, ConflictRetries: 10})
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return a, nil
	case errors.As(err, &tce) && (ddbtx.Failed(tce, 0) || ddbtx.Failed(tce, 1) || ddbtx.ConflictOnly(tce)):
		return Alias{}, apperr.Wrap(err, errAliasRaced.Kind, errAliasRaced.Code, errAliasRaced.Message).WithParam("name")
	}
	return Alias{}, unavailable("save alias", err)
}

// RollbackAlias makes the targets of an earlier version the alias's next
// version: history only grows, so a rollback is itself undoable and
// audited. A version that was never saved is NotFound alias_version_not_found.
func (s *Store) RollbackAlias(ctx context.Context, db AdminDB, org, ws, name string, version int64, actor string, now time.Time) (Alias, error) {
	return s.RollbackAliasChange(ctx, db, org, ws, name, version, AliasChange{Actor: actor}, now)
}

// RollbackAliasChange is RollbackAlias with the change's citation and an
// optional expected current version.
func (s *Store) RollbackAliasChange(ctx context.Context, db AdminDB, org, ws, name string, version int64, ch AliasChange, now time.Time) (Alias, error) {
	notFound := apperr.New(apperr.NotFound, "alias_version_not_found", "the alias has no such version").WithParam("version")
	if !ValidAliasName(name) || version < 1 {
		return Alias{}, notFound
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.cfg.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": str(aliasHistoryPK(org, ws)), "sk": str(aliasVersionSK(name, version))}})
	if err != nil {
		return Alias{}, unavailable("read alias version", err)
	}
	if out.Item == nil {
		return Alias{}, notFound
	}
	v, err := decodeAliasVersion(out.Item)
	if err != nil {
		return Alias{}, err
	}
	if err := validTargets(v.Targets); err != nil {
		return Alias{}, fmt.Errorf("alias %s version %d: %w", name, version, err)
	}
	return s.saveAlias(ctx, db, org, ws, name, v.Targets, ch, now)
}

// DeleteAlias removes the alias from routing. Its history is kept, and a
// later save continues its version numbers. An absent alias is NotFound.
func (s *Store) DeleteAlias(ctx context.Context, db AdminDB, org, ws, name string) error {
	if !ValidAliasName(name) {
		return errAliasGone
	}
	return s.deleteWorkspaceItem(ctx, db, org, ws, skAliasPre+name, errAliasGone, "delete alias")
}
