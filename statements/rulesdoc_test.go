package statements

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// docExample is a code block of docs/rules.md that names its file.
type docExample struct {
	file, content string
}

// TestRulesDoc keeps docs/rules.md honest: it documents exactly the rules
// of Rules(), in order, and each bad example that is a file gives its
// rule and nothing else, each good example gives no finding at all.
func TestRulesDoc(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := strings.Split(string(doc), "\n## ")[1:]
	var ids []string
	block := regexp.MustCompile("(?s)```(?:yaml|json) file=(\\S+)\n(.*?)```")
	for _, sec := range sections {
		id, body, _ := strings.Cut(sec, "\n")
		if id == "Contents" {
			continue
		}
		ids = append(ids, id)
		bad, good, ok := strings.Cut(body, "**Good**")
		if !ok || !strings.Contains(bad, "**Bad**") {
			t.Errorf("%s: no **Bad** and **Good** examples", id)
			continue
		}
		examples := func(s string) map[string]string {
			files := map[string]string{}
			for _, m := range block.FindAllStringSubmatch(s, -1) {
				files[m[1]] = m[2]
			}
			return files
		}
		t.Run(id, func(t *testing.T) {
			if files := examples(bad); len(files) > 0 {
				got := checkRepo(t, writeRepo(t, files), nil)
				if len(got) == 0 {
					t.Errorf("bad example: no findings, want %s", id)
				}
				for _, f := range got {
					if f.Rule != id {
						t.Errorf("bad example: got %s, want only %s", f, id)
					}
				}
			}
			if files := examples(good); len(files) > 0 {
				if got := checkRepo(t, writeRepo(t, files), nil); len(got) != 0 {
					t.Errorf("good example: got %q, want no findings", locations(got))
				}
			}
		})
	}
	var want []string
	for _, r := range Rules() {
		want = append(want, r.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("documented rules:\ngot  %q\nwant %q", ids, want)
	}
}
