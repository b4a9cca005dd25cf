// Package adapters builds the deployment's provider adapters, one per
// connection kind, all on the one outbound client (DESIGN §9). The gateway
// and the eval worker build theirs here, so both reach providers the same
// way.
package adapters

import (
	"fmt"
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/provider/anthropic"
	"github.com/tollgate-dev/tollgate/shared/provider/bedrock"
	"github.com/tollgate-dev/tollgate/shared/provider/gemini"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/provider/openai"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// All returns an adapter for every connection kind, plus the built-in mock
// when mockEnabled.
func All(client *http.Client, mockEnabled bool, mockOpts mock.Options) (map[string]provider.Provider, error) {
	providers := map[string]provider.Provider{
		workspace.KindOpenAI:    openai.New(client, openai.Options{}),
		workspace.KindAzure:     openai.New(client, openai.Options{Flavor: openai.FlavorAzure}),
		workspace.KindAnthropic: anthropic.New(client, anthropic.Options{}),
		workspace.KindGemini:    gemini.New(client),
		workspace.KindBedrock:   bedrock.New(client),
	}
	if mockEnabled {
		m, err := mock.New(mockOpts)
		if err != nil {
			return nil, fmt.Errorf("mock provider: %w", err)
		}
		providers[workspace.KindMock] = m
	}
	return providers, nil
}
