// Package jobcheckpoint keeps a scheduled job's one checkpoint item, so a
// job bounded per invocation (retention, drift) resumes where the previous
// invocation stopped. The item lives under the job's own global key
// (pk JOB#<name>, sk CHECKPOINT), which the job's function role alone may
// read and write.
package jobcheckpoint

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DB is what the store needs of the job's own client.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// SK is the checkpoint item's sort key.
const SK = "CHECKPOINT"

// Store reads and writes checkpoints of type T for one job.
type Store[T any] struct {
	Table string
	// Job names the job in errors; PK is its partition ("JOB#<job>").
	Job, PK string
}

func (s Store[T]) key() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: s.PK},
		"sk": &types.AttributeValueMemberS{Value: SK},
	}
}

// Load reads the checkpoint; a job that never saved one gets T's zero value.
func (s Store[T]) Load(ctx context.Context, db DB) (T, error) {
	var cp T
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: s.key(), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return cp, fmt.Errorf("read %s checkpoint: %w", s.Job, err)
	}
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &cp); err != nil {
			return cp, fmt.Errorf("decode %s checkpoint: %w", s.Job, err)
		}
	}
	return cp, nil
}

// Save writes cp. A failed write is a *SaveError.
func (s Store[T]) Save(ctx context.Context, db DB, cp T) error {
	item, err := attributevalue.MarshalMap(cp)
	if err != nil {
		return fmt.Errorf("encode %s checkpoint: %w", s.Job, err)
	}
	for k, v := range s.key() {
		item[k] = v
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return &SaveError{Job: s.Job, Err: err}
	}
	return nil
}

// SaveError stops a job's whole run: without its checkpoint the job cannot
// promise to resume where it left off, whereas one org's failure only
// skips that org.
type SaveError struct {
	Job string
	Err error
}

func (e *SaveError) Error() string { return "save " + e.Job + " checkpoint: " + e.Err.Error() }

// Unwrap returns the write's error.
func (e *SaveError) Unwrap() error { return e.Err }
