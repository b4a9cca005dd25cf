package workspace

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// ListAliases returns the workspace's aliases as the gateway routes them
// now, ordered by name. It reads consistently, so a just-saved alias shows.
func (s *Store) ListAliases(ctx context.Context, db DB, org, ws string) ([]Alias, error) {
	out := []Alias{}
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(s.cfg.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :pre)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(PK(org, ws)), ":pre": str(skAliasPre)},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("list aliases", err)
		}
		for _, it := range page.Items {
			a, err := decodeAlias(it)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// AliasHistory returns every saved version of alias name, newest first.
// An alias with neither history nor a current version is NotFound
// alias_not_found; one written before history was kept (by PutAlias) lists
// only the versions saved since.
func (s *Store) AliasHistory(ctx context.Context, db DB, org, ws, name string) ([]AliasVersion, error) {
	if !ValidAliasName(name) {
		return nil, errAliasGone
	}
	out := []AliasVersion{}
	p := dynamodb.NewQueryPaginator(db, s.historyQuery(org, ws, name))
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("read alias history", err)
		}
		for _, it := range page.Items {
			v, err := decodeAliasVersion(it)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		if _, exists, err := s.currentAlias(ctx, db, org, ws, name); err != nil || !exists {
			return nil, firstErr(err, errAliasGone)
		}
	}
	return out, nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// historyQuery reads alias name's versions, newest first.
func (s *Store) historyQuery(org, ws, name string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:              aws.String(s.cfg.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :pre)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(aliasHistoryPK(org, ws)), ":pre": str(skAliasVerPre + name + "#")},
		ScanIndexForward: aws.Bool(false),
		ConsistentRead:   aws.Bool(true),
	}
}

// latestVersion is the newest saved version of alias name, 0 when none.
func (s *Store) latestVersion(ctx context.Context, db DB, org, ws, name string) (int64, error) {
	q := s.historyQuery(org, ws, name)
	q.Limit = aws.Int32(1)
	out, err := db.Query(ctx, q)
	if err != nil {
		return 0, unavailable("read alias history", err)
	}
	if len(out.Items) == 0 {
		return 0, nil
	}
	v, err := decodeAliasVersion(out.Items[0])
	return v.Version, err
}

// currentAlias reads the alias's current item consistently.
func (s *Store) currentAlias(ctx context.Context, db DB, org, ws, name string) (Alias, bool, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.cfg.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": str(PK(org, ws)), "sk": str(skAliasPre + name)}})
	if err != nil {
		return Alias{}, false, unavailable("read alias", err)
	}
	if out.Item == nil {
		return Alias{}, false, nil
	}
	a, err := decodeAlias(out.Item)
	return a, err == nil, err
}

func decodeAlias(item map[string]types.AttributeValue) (Alias, error) {
	var ai aliasItem
	if err := attributevalue.UnmarshalMap(item, &ai); err != nil {
		return Alias{}, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
	}
	return Alias{Name: ai.Name, Version: ai.Version, Targets: parseTargets(ai.Targets)}, nil
}

func decodeAliasVersion(item map[string]types.AttributeValue) (AliasVersion, error) {
	var vi aliasVersionItem
	if err := attributevalue.UnmarshalMap(item, &vi); err != nil {
		return AliasVersion{}, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
	}
	return AliasVersion{Version: vi.Version, Targets: parseTargets(vi.Targets), Actor: vi.Actor, Time: vi.Time, Cites: vi.Cites}, nil
}

// parseTargets decodes stored targets as Load does, skipping any it cannot.
func parseTargets(ss []string) []Target {
	out := make([]Target, 0, len(ss))
	for _, t := range ss {
		if tg, ok := ParseTarget(t); ok {
			out = append(out, tg)
		}
	}
	return out
}
