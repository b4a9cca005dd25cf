package workspace

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// An org lists its workspaces from directory entries in its own partition,
//
//	ORG#<org>   WS#<workspace>   {name, created_at}
//
// written in the same transaction as the workspace's settings, so a listed
// workspace always has settings and a workspace always appears.
const skDirPre = "WS#"

// Entry is one workspace as the org's directory lists it.
type Entry struct {
	ID      string    `json:"id" dynamodbav:"workspace"`
	Name    string    `json:"name" dynamodbav:"name"`
	Created time.Time `json:"created_at" dynamodbav:"created_at"`
}

// TxDB is what creating and renaming need: one transaction.
type TxDB interface {
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// ValidName reports whether name can name a workspace: 1-100 bytes of
// valid UTF-8 without control characters.
func ValidName(name string) bool {
	if name == "" || len(name) > 100 || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// Create adds workspace ws to org with default settings and its directory
// entry, in one transaction that fails if either exists.
func (s *Store) Create(ctx context.Context, db TxDB, org, ws, name string, now time.Time) (Entry, error) {
	if !ValidName(name) {
		return Entry{}, apperr.New(apperr.Invalid, "invalid_name", "name must be 1-100 characters of text").WithParam("name")
	}
	e := Entry{ID: ws, Name: name, Created: now.UTC()}
	dir, err := attributevalue.MarshalMap(e)
	if err != nil {
		return Entry{}, err
	}
	dir["pk"], dir["sk"] = str(OrgPK(org)), str(skDirPre+ws)
	settings, err := attributevalue.MarshalMap(settingsItem{PK: PK(org, ws), SK: skSettings, Name: name,
		RedactAfterDays: defaultRedac, RetentionDays: defaultRet})
	if err != nil {
		return Entry{}, err
	}
	absent := aws.String("attribute_not_exists(pk)")
	_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.cfg.Table), Item: dir, ConditionExpression: absent}},
		{Put: &types.Put{TableName: aws.String(s.cfg.Table), Item: settings, ConditionExpression: absent}},
	}})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return Entry{}, apperr.Wrap(err, apperr.Conflict, "workspace_exists", "the workspace already exists")
	}
	if err != nil {
		return Entry{}, unavailable("create workspace", err)
	}
	return e, nil
}

// Rename changes a workspace's name in its directory entry and settings.
// A workspace that is not in org's directory is NotFound.
func (s *Store) Rename(ctx context.Context, db TxDB, org, ws, name string) error {
	if !ValidName(name) {
		return apperr.New(apperr.Invalid, "invalid_name", "name must be 1-100 characters of text").WithParam("name")
	}
	defer s.Invalidate(org, ws)
	set := func(pk, sk string) types.TransactWriteItem {
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(s.cfg.Table),
			Key:                       map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)},
			UpdateExpression:          aws.String("SET #n = :n"),
			ConditionExpression:       aws.String("attribute_exists(pk)"),
			ExpressionAttributeNames:  map[string]string{"#n": "name"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": str(name)},
		}}
	}
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		set(OrgPK(org), skDirPre+ws), set(PK(org, ws), skSettings),
	}})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return apperr.Wrap(err, apperr.NotFound, "workspace_not_found", "no such workspace")
	}
	if err != nil {
		return unavailable("rename workspace", err)
	}
	return nil
}

// List returns org's workspaces, ordered by ID.
func (s *Store) List(ctx context.Context, db DB, org string) ([]Entry, error) {
	var out []Entry
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(s.cfg.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :ws)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(OrgPK(org)), ":ws": str(skDirPre)},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("list workspaces", err)
		}
		for _, it := range page.Items {
			var e Entry
			if err := attributevalue.UnmarshalMap(it, &e); err != nil {
				return nil, apperr.Wrap(err, apperr.Internal, "corrupt_workspace", "internal error")
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// Get returns one workspace of org's directory, or NotFound.
func (s *Store) Get(ctx context.Context, db DB, org, ws string) (Entry, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.cfg.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": str(OrgPK(org)), "sk": str(skDirPre + ws)}})
	if err != nil {
		return Entry{}, unavailable("read workspace", err)
	}
	if out.Item == nil {
		return Entry{}, apperr.New(apperr.NotFound, "workspace_not_found", "no such workspace")
	}
	var e Entry
	if err := attributevalue.UnmarshalMap(out.Item, &e); err != nil {
		return Entry{}, apperr.Wrap(err, apperr.Internal, "corrupt_workspace", "internal error")
	}
	return e, nil
}
