package localstack

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// DynamoDB Local ships inside this npm package. Both checksums are pinned: the
// package tarball's npm integrity and the jar itself, re-checked on every start.
const (
	ddbPackage       = "amplify-dynamodb-simulator"
	ddbVersion       = "2.9.30"
	ddbIntegrity     = "sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ=="
	ddbJarSHA256     = "454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7"
	ddbPackagePrefix = "package/emulator/"
)

// startDynamoDB runs DynamoDB Local in memory with -sharedDb, so every access
// key sees one database (without it, each key gets its own).
func startDynamoDB(ctx context.Context, cacheDir string) (*process, string, error) {
	java, err := lookPath("java", "DynamoDB Local needs a Java 17+ runtime")
	if err != nil {
		return nil, "", err
	}
	dir, err := ensureDynamoDB(ctx, cacheDir)
	if err != nil {
		return nil, "", err
	}
	return startServer(ctx, "DynamoDB Local", func(port int) *exec.Cmd {
		cmd := exec.Command(java,
			"-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
			"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
			"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
			"-sharedDb", "-inMemory", "-port", strconv.Itoa(port))
		cmd.Dir = dir
		cmd.Env = environ()
		return cmd
	})
}

// ensureDynamoDB returns the directory holding a verified DynamoDBLocal.jar,
// fetching the pinned npm package into cacheDir when needed. Concurrent test
// packages serialize on a file lock.
func ensureDynamoDB(ctx context.Context, cacheDir string) (string, error) {
	dir := filepath.Join(cacheDir, "dynamodb-local-"+ddbVersion)
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("create cache dir: %w", err)
	}
	unlock, err := lockFile(filepath.Join(cacheDir, ".dynamodb-local.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()

	jar := filepath.Join(dir, "DynamoDBLocal.jar")
	if verifyFileSHA256(jar, ddbJarSHA256) == nil {
		return dir, nil
	}
	npm, err := lookPath("npm", "install Node.js 20 with npm")
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cacheDir, "fetch-")
	if err != nil {
		return "", fmt.Errorf("create fetch dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", "--pack-destination", tmp, ddbPackage+"@"+ddbVersion)
	cmd.Env = environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("npm pack %s@%s: %w: %s", ddbPackage, ddbVersion, err, out)
	}
	tgz := filepath.Join(tmp, ddbPackage+"-"+ddbVersion+".tgz")
	if err := verifyIntegrity(tgz, ddbIntegrity); err != nil {
		return "", err
	}
	staging := filepath.Join(tmp, "emulator")
	if err := extractPrefix(tgz, ddbPackagePrefix, staging); err != nil {
		return "", fmt.Errorf("extract DynamoDB Local: %w", err)
	}
	if err := verifyFileSHA256(filepath.Join(staging, "DynamoDBLocal.jar"), ddbJarSHA256); err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("replace cache: %w", err)
	}
	if err := os.Rename(staging, dir); err != nil {
		return "", fmt.Errorf("install DynamoDB Local into cache: %w", err)
	}
	return dir, nil
}

// verifyIntegrity checks a file against an npm "sha512-<base64>" integrity string.
func verifyIntegrity(path, integrity string) error {
	want, ok := strings.CutPrefix(integrity, "sha512-")
	if !ok {
		return fmt.Errorf("unsupported integrity %q", integrity)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("hash %s: %w", filepath.Base(path), err)
	}
	if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("checksum mismatch for %s: got sha512-%s", filepath.Base(path), got)
	}
	return nil
}

func verifyFileSHA256(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("hash %s: %w", filepath.Base(path), err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("checksum mismatch for %s: got %s", filepath.Base(path), got)
	}
	return nil
}

// extractPrefix unpacks the regular files under prefix of a .tgz into dest,
// refusing any path that would escape dest.
func extractPrefix(tgz, prefix, dest string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, ok := strings.CutPrefix(h.Name, prefix)
		if !ok || rel == "" || h.Typeflag != tar.TypeReg {
			continue
		}
		target := filepath.Join(dest, filepath.FromSlash(rel))
		if !strings.HasPrefix(target, filepath.Clean(dest)+string(os.PathSeparator)) {
			return fmt.Errorf("archive path escapes destination: %q", h.Name)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, io.LimitReader(tr, 256<<20)); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
}

// lockFile takes an exclusive advisory lock, released by the returned func.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", filepath.Base(path), err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
