package localstack

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// RoleConfig returns an AWS config whose credentials are a session of the
// template's role logicalID (e.g. "GatewayFunctionRole"), renewed before
// expiry. Locally this stands in for the Lambda service handing a function
// its execution role, so functions run with exactly their template policies.
func (s *Stack) RoleConfig(ctx context.Context, logicalID string) (aws.Config, error) {
	arn, err := s.RoleARN(logicalID)
	if err != nil {
		return aws.Config{}, err
	}
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(s.OperatorConfig()), arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "local-" + logicalID
		o.Duration = time.Hour
	})
	cfg := s.Config(provider)
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("assume %s: %w", logicalID, err)
	}
	return cfg, nil
}
