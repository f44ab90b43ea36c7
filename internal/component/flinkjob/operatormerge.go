package flinkjob

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// MergeArraysByNameKey is the operator option that makes it merge a role's
// pod template over the shared one matching list items by name; by default
// it matches them by position.
const MergeArraysByNameKey = "kubernetes.operator.pod-template.merge-arrays-by-name"

// renamed records two differently named list items the operator merges
// into one because they sit at the same position.
type renamed struct {
	path      string // the list, e.g. spec.containers
	index     int
	base, top string
}

// renamedMessage explains a renamed merge of a role's template.
func renamedMessage(role string, m renamed) string {
	return fmt.Sprintf("the operator merges spec.%s.podTemplate.%s[%d] (%s) into spec.podTemplate.%s[%d] (%s) because it merges a role's template over spec.podTemplate by list position, so the %s pods get neither as written; "+
		"list the same items in the same order in both, or set flinkConfiguration %s: \"true\" to merge by name",
		role, m.path, m.index, m.top, m.path, m.index, m.base, role, MergeArraysByNameKey)
}

// operatorMerge merges a role's pod template (top) over the shared one
// (base) the way the Flink operator does (FlinkUtils.mergePodTemplates,
// the same in every release from 1.7 to 1.15), without changing either:
//   - a key of top replaces base's, except that two objects merge key by
//     key, two lists merge, and an object in base stays when top has no
//     object there (its keys are merged, and a scalar has none);
//   - lists merge by position: the item at index i of top merges into the
//     item at index i of base, which keeps base's value unless both are
//     objects; top's extra items are appended;
//   - with byName, lists whose items all have a name merge by name
//     instead: base's items in order, each merged with top's of that name,
//     then top's new names in order (a name given twice keeps its first
//     place and its last item).
//
// It also returns the items merged by position although their names differ.
func operatorMerge(base, top map[string]any, byName bool) (map[string]any, []renamed) {
	if top == nil {
		return deepCopyMap(base), nil
	}
	if base == nil {
		return deepCopyMap(top), nil
	}
	out := deepCopyMap(base)
	var r []renamed
	mergeInto(out, top, byName, "", &r)
	return out, r
}

func mergeInto(to map[string]any, from any, byName bool, path string, r *[]renamed) {
	fm, ok := from.(map[string]any)
	if !ok {
		return // the operator iterates the fields of from: a scalar or list has none
	}
	for _, k := range slices.Sorted(maps.Keys(fm)) {
		fv := fm[k]
		p := joinPath(path, k)
		switch tv := to[k].(type) {
		case []any:
			if fl, ok := fv.([]any); ok {
				to[k] = mergeArray(tv, fl, byName, p, r)
				continue
			}
			to[k] = deepCopy(fv)
		case map[string]any:
			mergeInto(tv, fv, byName, p, r)
		default:
			to[k] = deepCopy(fv)
		}
	}
}

// indexByName indexes named items by name, the last of a name winning,
// and lists the names in the order they first appear.
func indexByName(items []any) (order []string, byName map[string]any) {
	byName = map[string]any{}
	for _, item := range items {
		name := nameOf(item)
		if _, seen := byName[name]; !seen {
			order = append(order, name)
		}
		byName[name] = item
	}
	return order, byName
}

func mergeArray(to, from []any, byName bool, path string, r *[]renamed) []any {
	if byName && allNamed(to) && allNamed(from) {
		order, byKey := indexByName(to)
		fromOrder, fromByKey := indexByName(from)
		for _, name := range fromOrder {
			item := fromByKey[name]
			existing, seen := byKey[name]
			if !seen {
				order = append(order, name)
				byKey[name] = deepCopy(item)
				continue
			}
			if em, ok := existing.(map[string]any); ok {
				mergeInto(em, item, byName, path, r)
			}
		}
		out := make([]any, 0, len(order))
		for _, name := range order {
			out = append(out, byKey[name])
		}
		return out
	}
	for i, item := range from {
		if i >= len(to) {
			to = append(to, deepCopy(item))
			continue
		}
		if tm, ok := to[i].(map[string]any); ok {
			if a, b := nameOf(tm), nameOf(item); a != "" && b != "" && a != b {
				*r = append(*r, renamed{path: path, index: i, base: a, top: b})
			}
			mergeInto(tm, item, byName, fmt.Sprintf("%s[%d]", path, i), r)
		}
	}
	return to
}

// allNamed tells whether every item has a name key (Jackson's has("name")).
func allNamed(l []any) bool {
	for _, item := range l {
		m, ok := item.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["name"]; !ok {
			return false
		}
	}
	return true
}

// nameOf is an item's name as text, "" when it has none.
func nameOf(item any) string {
	m, ok := item.(map[string]any)
	if !ok || m["name"] == nil {
		return ""
	}
	return fmt.Sprint(m["name"])
}

// mergesByName reads MergeArraysByNameKey as the operator does: the
// FlinkDeployment's flinkConfiguration over the operator's own
// configuration; Flink booleans are true or false in any case.
func mergesByName(deployment, operator map[string]string) bool {
	v, ok := deployment[MergeArraysByNameKey]
	if !ok {
		v = operator[MergeArraysByNameKey]
	}
	return strings.EqualFold(strings.TrimSpace(v), "true")
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	if strings.ContainsAny(key, "./") {
		return path + "[" + key + "]"
	}
	return path + "." + key
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepCopyMap(t)
	case []any:
		out := make([]any, len(t))
		for i, c := range t {
			out[i] = deepCopy(c)
		}
		return out
	}
	return v
}

func deepCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}
