package budget_test

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

type staticCreds aws.Credentials

func (c staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials(c), nil
}
