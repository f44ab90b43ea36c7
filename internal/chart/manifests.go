package chart

import (
	"fmt"
	"log"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// hookEvents are the hook events Helm knows (releaseutil's events table).
var hookEvents = map[string]release.HookEvent{
	string(release.HookPreInstall):   release.HookPreInstall,
	string(release.HookPostInstall):  release.HookPostInstall,
	string(release.HookPreDelete):    release.HookPreDelete,
	string(release.HookPostDelete):   release.HookPostDelete,
	string(release.HookPreUpgrade):   release.HookPreUpgrade,
	string(release.HookPostUpgrade):  release.HookPostUpgrade,
	string(release.HookPreRollback):  release.HookPreRollback,
	string(release.HookPostRollback): release.HookPostRollback,
	string(release.HookTest):         release.HookTest,
	"test-success":                   release.HookTest,
}

// sortManifests splits rendered templates into manifests and hooks the way
// releaseutil.SortManifests does (same split, same hook detection, same
// errors), but reads each document once: its YAML is decoded into the maps
// the components' objects are made of, and the head (kind, hook
// annotations) comes from those maps. Documents the fast decoder hands to
// its slow path get Helm's own head parse. Helm's kind ordering is not
// kept: Render sorts by template and content anyway.
func sortManifests(files map[string]string) (*Result, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	res := &Result{}
	for _, p := range paths {
		content := files[p]
		if strings.HasPrefix(path.Base(p), "_") || strings.TrimSpace(content) == "" {
			continue
		}
		for _, m := range splitManifests(content) {
			docs := manifest.Decode([]byte(m))
			head, err := parseHead(m, &docs)
			if err != nil {
				return nil, fmt.Errorf("YAML parse error on %s: %w", p, err)
			}
			doc := Document{Source: p, Content: m, decoded: &docs}
			if head.Metadata == nil || len(head.Metadata.Annotations) == 0 {
				res.Manifests = append(res.Manifests, doc)
				continue
			}
			hookTypes, ok := head.Metadata.Annotations[release.HookAnnotation]
			if !ok {
				res.Manifests = append(res.Manifests, doc)
				continue
			}
			var events []string
			unknown := false
			for _, t := range strings.Split(hookTypes, ",") {
				e, ok := hookEvents[strings.ToLower(strings.TrimSpace(t))]
				if !ok {
					unknown = true
					break
				}
				events = append(events, string(e))
			}
			if unknown {
				log.Printf("info: skipping unknown hook: %q", hookTypes)
				continue
			}
			sort.Strings(events)
			if events == nil {
				events = []string{}
			}
			res.Hooks = append(res.Hooks, Hook{Document: doc, Events: events})
		}
	}
	return res, nil
}

// splitManifests is releaseutil.SplitManifests in document order, without
// its regular expression (?:^|\s*\n)---\s* (slow on large templates): a
// "---" at the start, or right after a line break ending a run of white
// space, splits, with the white space on both sides.
func splitManifests(content string) []string {
	t := strings.TrimSpace(content)
	if !strings.Contains(t, "---") {
		if t == "" {
			return nil
		}
		return []string{t}
	}
	var pieces []string
	beg, i := 0, 0
	skipSpace := func(e int) int {
		for e < len(t) && isSpace(t[e]) {
			e++
		}
		return e
	}
	if strings.HasPrefix(t, "---") {
		pieces = append(pieces, "")
		beg = skipSpace(3)
		i = beg
	}
	for i < len(t) {
		if !isSpace(t[i]) {
			i++
			continue
		}
		start := i
		i = skipSpace(i)
		if t[i-1] == '\n' && strings.HasPrefix(t[i:], "---") {
			pieces = append(pieces, t[beg:start])
			beg = skipSpace(i + 3)
			i = beg
		}
	}
	pieces = append(pieces, t[beg:])
	var out []string
	for _, p := range pieces {
		if p != "" {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

// isSpace is \s in Go regular expressions.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// parseHead is Helm's read of a document's head (sigs.k8s.io/yaml into
// releaseutil.SimpleHead), taken from the decoded first document when the
// fast decoder read it and it has the head's field types.
func parseHead(m string, docs *manifest.Documents) (releaseutil.SimpleHead, error) {
	if len(docs.Maps) > 0 && docs.Maps[0] != nil {
		if h, ok := headOf(docs.Maps[0]); ok {
			return h, nil
		}
	}
	var h releaseutil.SimpleHead
	err := sigsyaml.Unmarshal([]byte(m), &h)
	return h, err
}

// headOf reads a SimpleHead from a decoded document as encoding/json would,
// or reports false when JSON decoding could fail or match keys
// case-insensitively.
func headOf(obj map[string]any) (releaseutil.SimpleHead, bool) {
	var h releaseutil.SimpleHead
	if !exactKeys(obj, "apiVersion", "kind", "metadata") {
		return h, false
	}
	var ok bool
	if h.Version, ok = optString(obj["apiVersion"]); !ok {
		return h, false
	}
	if h.Kind, ok = optString(obj["kind"]); !ok {
		return h, false
	}
	switch md := obj["metadata"].(type) {
	case nil:
	case map[string]any:
		if !exactKeys(md, "name", "annotations") {
			return h, false
		}
		h.Metadata = &struct {
			Name        string            `json:"name"`
			Annotations map[string]string `json:"annotations"`
		}{}
		if h.Metadata.Name, ok = optString(md["name"]); !ok {
			return h, false
		}
		switch ann := md["annotations"].(type) {
		case nil:
		case map[string]any:
			h.Metadata.Annotations = make(map[string]string, len(ann))
			for k, v := range ann {
				s, isString := v.(string)
				if !isString {
					return h, false
				}
				h.Metadata.Annotations[k] = s
			}
		default:
			return h, false
		}
	default:
		return h, false
	}
	return h, true
}

// exactKeys tells whether no key of obj equals one of names but in case
// (encoding/json would take it for that field).
func exactKeys(obj map[string]any, names ...string) bool {
	for k := range obj {
		for _, n := range names {
			if k != n && strings.EqualFold(k, n) {
				return false
			}
		}
	}
	return true
}

func optString(v any) (string, bool) {
	switch s := v.(type) {
	case nil:
		return "", true
	case string:
		return s, true
	}
	return "", false
}
