package member

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// errLastOwner refuses the change that would leave the org without an owner,
// who alone can delete it or appoint other owners.
var errLastOwner = apperr.New(apperr.Conflict, "last_owner",
	"an organization must keep at least one owner; make someone else owner first")

// ownerGained adds one to the owner counter, creating it at 1 for the first owner.
func (st *Store) ownerGained(org string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(st.table),
		Key:                       ownersKey(org),
		UpdateExpression:          aws.String("ADD #c :one"),
		ExpressionAttributeNames:  map[string]string{"#c": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)},
	}}
}

// ownerLost subtracts one from the owner counter only while another owner
// remains. The condition is evaluated inside the transaction, so two
// concurrent demotions of the last two owners cannot both pass it.
func (st *Store) ownerLost(org string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(st.table),
		Key:                       ownersKey(org),
		UpdateExpression:          aws.String("SET #c = #c - :one"),
		ConditionExpression:       aws.String("#c > :one"),
		ExpressionAttributeNames:  map[string]string{"#c": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)},
	}}
}
