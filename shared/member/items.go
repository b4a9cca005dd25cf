package member

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Sort keys.
const (
	skMemberPre = "MEMBER#"
	skEmailPre  = "EMAIL#"
	skOwners    = "OWNERS"
)

// PK is the org's own partition, which holds its members.
func PK(org string) string { return "ORG#" + org }

func memberKey(org, memberID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(PK(org)), "sk": str(skMemberPre + memberID)}
}

func emailGuardKey(org, email string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(PK(org)), "sk": str(skEmailPre + emailKey(email))}
}

func ownersKey(org string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(PK(org)), "sk": str(skOwners)}
}

// memberItem is a member as stored.
type memberItem struct {
	PK      string    `dynamodbav:"pk"`
	SK      string    `dynamodbav:"sk"`
	ID      string    `dynamodbav:"id"`
	Email   string    `dynamodbav:"email"`
	Name    string    `dynamodbav:"name,omitempty"`
	Role    string    `dynamodbav:"role"`
	Created time.Time `dynamodbav:"created"`
}

func toItem(org string, m Member) memberItem {
	return memberItem{
		PK: PK(org), SK: skMemberPre + m.ID, ID: m.ID, Email: m.Email, Name: m.Name,
		Role: string(m.Role), Created: m.Created.UTC(),
	}
}

func (it memberItem) member() Member {
	return Member{ID: it.ID, Email: it.Email, Name: it.Name, Role: Role(it.Role), Created: it.Created}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
