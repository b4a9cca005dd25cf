package localstack

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// FunctionEnv is the environment Lambda would give a function whose
// execution role is the template's role logicalID: a session of that role
// as AWS credentials, the stack's endpoint and region, and the variables
// template.yaml's Globals set. name becomes AWS_LAMBDA_FUNCTION_NAME.
func (s *Stack) FunctionEnv(ctx context.Context, name, logicalID string) ([]string, error) {
	arn, err := s.RoleARN(logicalID)
	if err != nil {
		return nil, err
	}
	out, err := sts.NewFromConfig(s.OperatorConfig()).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(arn), RoleSessionName: aws.String("function-" + name)})
	if err != nil {
		return nil, fmt.Errorf("assume %s: %w", logicalID, err)
	}
	return []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + name, "AWS_REGION=" + Region, "AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_ACCESS_KEY_ID=" + *out.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + *out.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + *out.Credentials.SessionToken,
		"TOLLGATE_TABLE=" + s.TableName, "TOLLGATE_TENANT_ROLE_ARN=" + s.TenantRoleARN, "TOLLGATE_KMS_KEY_ARN=" + s.KeyARN,
	}, nil
}
