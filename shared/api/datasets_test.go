package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/member"
)

func TestDatasetUploadListGetDelete(t *testing.T) {
	a := newOrg(t, "Omicron")
	dev := a.keys[member.Developer]
	base := "/api/v1/workspaces/" + a.Workspace + "/datasets"
	var lines []string
	for i := 0; i < 600; i++ { // ~100 KB: over the API's usual 64 KiB body limit, under this route's 5 MiB
		lines = append(lines, fmt.Sprintf(`{"messages":[{"role":"user","content":"DATASET-MARKER question %d %s"}],"reference":"answer %d"}`,
			i, strings.Repeat("x", 100), i))
	}
	st, body := do(t, dev, "POST", base+"?name=support-faq", strings.Join(lines, "\n"))
	if st != 201 || field(t, body, "name") != "support-faq" {
		t.Fatalf("upload: %d %s", st, body)
	}
	id := field(t, body, "id")
	if st, body := do(t, a.keys[member.Viewer], "GET", base, ""); st != 200 || !strings.Contains(body, id) || strings.Contains(body, "DATASET-MARKER") {
		t.Fatalf("list: %d %s", st, body)
	}
	if st, body := do(t, dev, "GET", base+"/"+id, ""); st != 200 || !strings.Contains(body, `"items":600`) {
		t.Fatalf("get: %d %s", st, body)
	}
	// Bad lines refuse the upload and are listed by number and code, never by text.
	bad := strings.Join([]string{lines[0], `{"messages":[{"role":"robot","content":"SECRET-LINE-TEXT"}]}`, `not json SECRET-LINE-TEXT`,
		`{"messages":[{"role":"user","content":"key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"}]}`}, "\n")
	st, body = do(t, dev, "POST", base+"?name=bad", bad)
	if st != 400 || code(body) != "dataset_invalid" || strings.Contains(body, "SECRET-LINE-TEXT") || strings.Contains(body, "sk-proj") {
		t.Fatalf("bad lines: %d %s", st, body)
	}
	var rej struct {
		Rejects []struct {
			Line int
			Code string
		}
	}
	if err := json.Unmarshal([]byte(body), &rej); err != nil || len(rej.Rejects) != 3 || rej.Rejects[0].Line != 2 ||
		rej.Rejects[2].Code != "credential_detected" {
		t.Fatalf("rejects: %+v %v", rej, err)
	}
	huge := strings.Repeat(lines[0]+"\n", 5<<20/len(lines[0])+10)
	if st, body := do(t, dev, "POST", base+"?name=huge", huge); st != 413 {
		t.Fatalf("over 5 MiB: %d %.200s", st, body)
	}
	if st, body := do(t, dev, "POST", base+"?name=", lines[0]); st != 400 || code(body) != "invalid_name" {
		t.Fatalf("no name: %d %s", st, body)
	}
	if n := scanFor(t, "DATASET-MARKER"); n != 0 { // stored, but only sealed
		t.Fatalf("dataset text in %d table items", n)
	}
	if st, _ := do(t, dev, "DELETE", base+"/"+id, ""); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if st, body := do(t, dev, "GET", base+"/"+id, ""); st != 404 {
		t.Fatalf("get after delete: %d %s", st, body)
	}
}
