package localstack

import (
	"context"
	"os/exec"
	"strconv"
)

// startMoto runs moto's server, which serves KMS, SQS and STS on one port.
func startMoto(ctx context.Context) (*process, string, error) {
	bin, err := lookPath("moto_server", "install it with: pip install 'moto[server]'")
	if err != nil {
		return nil, "", err
	}
	return startServer(ctx, "moto", func(port int) *exec.Cmd {
		cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		cmd.Env = append(environ(), "MOTO_ALLOW_NONEXISTENT_REGION=false")
		return cmd
	})
}
