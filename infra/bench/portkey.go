package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The Portkey gateway, pinned. bench/portkey holds its package.json and
// lock file (committed); it is installed with npm ci into .local/bench/portkey.
const (
	portkeyVersion = "1.15.2"
	portkeyPackage = "@portkey-ai/gateway"
	portkeyServer  = "node_modules/@portkey-ai/gateway/build/start-server.js"
	// portkeyShim is the preload that lets Portkey stream on Node 20/22
	// (see bench/portkey/mutable-headers.mjs).
	portkeyShim = "mutable-headers.mjs"
)

// portkeyInstall is an installed, pinned Portkey.
type portkeyInstall struct {
	dir  string // where node_modules is
	shim string // absolute path of the preload
}

// preparePortkey returns the pinned Portkey, installing it with npm ci from
// the committed lock file when install is set and it is missing or stale.
func preparePortkey(ctx context.Context, root string, install bool, log io.Writer) (portkeyInstall, error) {
	src := filepath.Join(root, "bench", "portkey")
	inst := portkeyInstall{dir: filepath.Join(root, ".local", "bench", "portkey"), shim: filepath.Join(src, portkeyShim)}
	if _, err := exec.LookPath("node"); err != nil {
		return inst, errors.New("node is not on PATH: install Node.js 20 or later with npm")
	}
	if current(src, inst.dir) {
		return inst, nil
	}
	if !install {
		return inst, fmt.Errorf("%s %s is not installed in %s: `make bench` installs it (npm ci from bench/portkey)", portkeyPackage, portkeyVersion, inst.dir)
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return inst, errors.New("npm is not on PATH: install Node.js 20 or later with npm")
	}
	if err := os.MkdirAll(inst.dir, 0o755); err != nil {
		return inst, fmt.Errorf("install portkey: %w", err)
	}
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return inst, fmt.Errorf("install portkey: %w", err)
		}
		if err := os.WriteFile(filepath.Join(inst.dir, f), b, 0o644); err != nil {
			return inst, fmt.Errorf("install portkey: %w", err)
		}
	}
	fmt.Fprintf(log, "installing %s %s with npm ci into %s\n", portkeyPackage, portkeyVersion, inst.dir)
	ictx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ictx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = inst.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return inst, fmt.Errorf("npm ci of %s %s failed: %w\n%s", portkeyPackage, portkeyVersion, err, out)
	}
	if !current(src, inst.dir) {
		return inst, fmt.Errorf("npm ci did not install %s %s", portkeyPackage, portkeyVersion)
	}
	return inst, nil
}

// current reports whether dir holds the pinned version installed from the
// committed lock file.
func current(src, dir string) bool {
	want, err1 := os.ReadFile(filepath.Join(src, "package-lock.json"))
	have, err2 := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err1 != nil || err2 != nil || !bytes.Equal(want, have) {
		return false
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", portkeyPackage, "package.json"))
	if err != nil {
		return false
	}
	var pkg struct{ Version string }
	return json.Unmarshal(b, &pkg) == nil && pkg.Version == portkeyVersion
}

// portkey is a running Portkey gateway.
type portkey struct {
	*proc
	URL string
}

// startPortkey starts Portkey on a free port, with the streaming preload
// when shim is set.
func startPortkey(ctx context.Context, inst portkeyInstall, shim bool) (*portkey, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	var args []string
	if shim {
		args = append(args, "--import", inst.shim)
	}
	args = append(args, portkeyServer, "--port="+strconv.Itoa(port))
	cmd := exec.Command("node", args...)
	cmd.Dir = inst.dir
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	p, err := startProc("portkey", cmd)
	if err != nil {
		return nil, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := p.waitHTTP(ctx, url+"/", 60*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	return &portkey{proc: p, URL: url}, nil
}

// target routes Portkey to the upstreams with its per-request headers:
// provider openai, custom host the upstream's /v1.
func (p *portkey) target(ups *upstreams) Target {
	t := Target{Name: NamePortkey, PIDs: func() []int { return withChildren(p.pid()) }}
	for u, s := range ups {
		h := bearer(upstreamKey)
		h.Set("X-Portkey-Provider", "openai")
		h.Set("X-Portkey-Custom-Host", s.URL+"/v1")
		t.Endpoints[u] = Endpoint{URL: p.URL + "/v1/chat/completions", Header: h, Model: upstreamModel}
	}
	return t
}

// probePortkeyStreaming sends one streamed call to Portkey as npm installs
// it (no preload) and describes what happened, with the error it logged.
func probePortkeyStreaming(ctx context.Context, inst portkeyInstall, ups *upstreams, tokens int) (string, error) {
	p, err := startPortkey(ctx, inst, false)
	if err != nil {
		return "", err
	}
	defer p.stop()
	res, err := Load(ctx, LoadSpec{Concurrency: 1, Requests: 1, MaxDuration: 30 * time.Second}, StreamShot(p.target(ups).Endpoints[Stream], tokens))
	if err != nil {
		return "", err
	}
	if res.Errors == 0 {
		return "streamed calls work without the preload", nil
	}
	time.Sleep(100 * time.Millisecond) // let its error line reach us
	return fmt.Sprintf("streamed calls fail without the preload: the client gets %q; Portkey logs %s", res.FirstError, thrown(p.out.String())), nil
}

// thrown finds the first JavaScript error in a process's output and names
// it with the innermost frames of its stack, e.g. "TypeError: immutable at
// appendHeader ← _Headers.append ← ru.updateHeaders".
func thrown(out string) string {
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		at := strings.Index(line, "Error: ")
		if at < 0 {
			continue
		}
		start := strings.LastIndexAny(line[:at], " \t:") + 1
		msg := strings.TrimSpace(line[start:])
		var frames []string
		for _, f := range lines[i+1:] {
			f = strings.TrimSpace(f)
			name, ok := strings.CutPrefix(f, "at ")
			if !ok || len(frames) == 3 {
				break
			}
			name, _, _ = strings.Cut(name, " (")
			frames = append(frames, name)
		}
		if len(frames) > 0 {
			msg += " at " + strings.Join(frames, " ← ")
		}
		return fmt.Sprintf("%q", msg)
	}
	return "no error"
}
