package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/infra/localstack"
)

// checkPeers makes sure every peer can run before the long part starts:
// Portkey installed (a full run installs it), nginx present. A full run
// stops here with the reason; a smoke run records the peer as missing.
func (s *session) checkPeers(ctx context.Context) error {
	pk := Peer{Name: NamePortkey, Version: portkeyVersion}
	inst, err := preparePortkey(ctx, s.root, !s.o.Smoke, s.log)
	s.pkInst = inst
	if err != nil {
		pk.Missing = err.Error()
	}
	ng := Peer{Name: NameNginx, Version: s.res.Machine.Nginx}
	if nginxPath() == "" {
		ng.Missing = nginxMissing
	}
	s.res.Peers = []Peer{pk, ng}
	return s.missing()
}

// missing fails a full run on a missing peer.
func (s *session) missing() error {
	if s.o.Smoke {
		return nil
	}
	var errs []error
	for _, p := range s.res.Peers {
		if p.Missing != "" {
			errs = append(errs, fmt.Errorf("peer %s is missing: %s", p.Name, p.Missing))
		}
	}
	return errors.Join(errs...)
}

// spreadOrgs is how many orgs the spread saturation run shares its load
// over; spreadName labels that run.
const (
	spreadOrgs = 4
	spreadName = "tollgate, 4 orgs"
)

// startTollgate starts the upstreams, the local stack, seeds the org and
// starts the gateway's process.
func (s *session) startTollgate(ctx context.Context) error {
	var err error
	if s.ups, err = startUpstreams(s.o); err != nil {
		return err
	}
	s.targets = append(s.targets, s.ups.direct())
	sctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	if s.stack, err = localstack.Start(sctx, localstack.Options{StackName: "tollgate-bench"}); err != nil {
		return err
	}
	if s.res.MemoryMB, err = gatewayMemory(s.stack); err != nil {
		return err
	}
	if s.tenant, err = seedTollgate(ctx, s.stack, s.ups); err != nil {
		return err
	}
	s.spread = append(s.spread, s.tenant)
	for range spreadOrgs - 1 {
		d, err := seedTollgate(ctx, s.stack, s.ups)
		if err != nil {
			return err
		}
		s.spread = append(s.spread, d)
	}
	if s.gw, err = startTollgate(ctx, s.stack, s.ups, s.stack.Endpoint, "gateway"); err != nil {
		return err
	}
	s.targets = append(s.targets, s.gw.target(s.tenant))
	return nil
}

// startPeers probes Portkey's streaming as installed, then starts Portkey
// (with the streaming preload) and nginx.
func (s *session) startPeers(ctx context.Context) error {
	for i := range s.res.Peers {
		p := &s.res.Peers[i]
		if p.Missing != "" {
			continue
		}
		var err error
		switch p.Name {
		case NamePortkey:
			err = s.startPortkey(ctx, p)
		case NameNginx:
			if s.ngx, err = startNginx(ctx, s.ups); err == nil {
				s.targets = append(s.targets, s.ngx.target())
				p.Notes = append(p.Notes, "proxy_pass over kept-alive HTTP/1.1 upstream connections, proxy_buffering and "+
					"proxy_request_buffering off, worker_processes auto, access_log off: the zero-logic floor")
			}
		}
		if err != nil {
			p.Missing = err.Error()
		}
	}
	for _, t := range s.targets {
		s.res.Targets = append(s.res.Targets, t.Name)
	}
	return s.missing()
}

func (s *session) startPortkey(ctx context.Context, p *Peer) error {
	note, err := probePortkeyStreaming(ctx, s.pkInst, s.ups, s.o.StreamTokens)
	if err != nil {
		return err
	}
	p.Notes = append(p.Notes, "Node "+s.res.Machine.Node+"; as npm installs it, "+note+".",
		"Measured with the preload bench/portkey/mutable-headers.mjs (node --import), which gives each upstream "+
			"response a mutable copy of its headers; the same process serves the non-streamed and streamed runs.",
		"Routed per request with x-portkey-provider: openai and x-portkey-custom-host: <upstream>/v1.")
	if s.pk, err = startPortkey(ctx, s.pkInst, true); err != nil {
		return err
	}
	s.targets = append(s.targets, s.pk.target(s.ups))
	return nil
}

// warmUp sends a few calls through every target (connections, caches,
// JIT), checks each answers, and reads its memory after warm-up.
func (s *session) warmUp(ctx context.Context) error {
	for _, t := range s.targets {
		for _, shot := range []Shot{CompleteShot(t.Endpoints[Paced], s.o.MaxTokens), StreamShot(t.Endpoints[Stream], s.o.StreamTokens)} {
			res, err := Load(ctx, LoadSpec{Concurrency: 1, Requests: 5, MaxDuration: 30 * time.Second}, shot)
			if err != nil {
				return err
			}
			if res.Errors > 0 {
				return fmt.Errorf("%s does not answer: %s", t.Name, res.FirstError)
			}
		}
		if t.PIDs == nil {
			continue
		}
		m, err := readMemory(t.PIDs())
		if err != nil {
			return err
		}
		s.res.Memory[t.Name] = MemoryUse{Warm: m}
	}
	return nil
}

// gatewayMemory is the gateway function's MemorySize in template.yaml (its
// own, else the Globals'), which Lambda's duration price is per GB of.
func gatewayMemory(stack *localstack.Stack) (int, error) {
	var v any
	if fn, ok := stack.Template.Resources["GatewayFunction"]; ok {
		v = fn.Properties["MemorySize"]
	}
	if v == nil {
		globals, _ := stack.Template.Globals["Function"].(map[string]any)
		v = globals["MemorySize"]
	}
	mb, err := strconv.Atoi(fmt.Sprint(v))
	if err != nil || mb <= 0 {
		return 0, fmt.Errorf("template.yaml: GatewayFunction has no MemorySize")
	}
	return mb, nil
}
