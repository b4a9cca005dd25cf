package orgdata_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions // TenantRole sessions as the API function makes them
	api      *dynamodb.Client // the API function's own role: token lookups and the registry
	gateway  *dynamodb.Client // the gateway's own role: reads token lookups
	raw      *dynamodb.Client // bypasses enforcement: scans the table for leftovers
	envelope *secrets.Envelope
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "orgdata-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		ctx := context.Background()
		if sessions, err = s.TenantSessions(ctx, "ApiFunctionRole"); err != nil {
			return err
		}
		apiCfg, err := s.RoleConfig(ctx, "ApiFunctionRole")
		if err != nil {
			return err
		}
		gwCfg, err := s.RoleConfig(ctx, "GatewayFunctionRole")
		if err != nil {
			return err
		}
		api, gateway = dynamodb.NewFromConfig(apiCfg), dynamodb.NewFromConfig(gwCfg)
		raw = dynamodb.NewFromConfig(s.DirectDynamoDBConfig())
		envelope = secrets.New(secrets.Config{Table: s.TableName, KMSKeyARN: s.KeyARN})
		return nil
	})
}

// scanAll returns every item of the table, read around enforcement.
func scanAll(t *testing.T) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(raw, &dynamodb.ScanInput{TableName: aws.String(stack.TableName), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, page.Items...)
	}
	return items
}

// mentions reports whether any string in v (keys, nested values, sets)
// contains sub.
func mentions(v types.AttributeValue, sub string) bool {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return strings.Contains(v.Value, sub)
	case *types.AttributeValueMemberSS:
		for _, s := range v.Value {
			if strings.Contains(s, sub) {
				return true
			}
		}
	case *types.AttributeValueMemberL:
		for _, e := range v.Value {
			if mentions(e, sub) {
				return true
			}
		}
	case *types.AttributeValueMemberM:
		return itemMentions(v.Value, sub)
	}
	return false
}

func itemMentions(it map[string]types.AttributeValue, sub string) bool {
	for k, v := range it {
		if strings.Contains(k, sub) || mentions(v, sub) {
			return true
		}
	}
	return false
}

// orgItems returns the raw items that mention org, keyed by pk|sk.
func orgItems(t *testing.T, org string) map[string]map[string]types.AttributeValue {
	t.Helper()
	out := map[string]map[string]types.AttributeValue{}
	for _, it := range scanAll(t) {
		if itemMentions(it, org) {
			out[str(it, "pk")+"|"+str(it, "sk")] = it
		}
	}
	return out
}

func str(it map[string]types.AttributeValue, k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
