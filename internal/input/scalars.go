package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// millicores is a Kubernetes CPU quantity in millicores ("500m").
var millicores = regexp.MustCompile(`^([0-9]+)m$`)

// checkScalars finds the mistakes YAML makes easy, which a plain type error
// would report without the key or without the fix: a list as a
// flinkConfiguration value (Flink lists are one string, items separated by
// ';'), and a Kubernetes CPU quantity ("500m") where krm-flink takes a
// number of cores. It reports each one and returns the document with the
// value corrected, so decoding goes on to report everything else. It also
// returns the flinkConfiguration keys written as nested mappings
// (spec.flinkConfiguration[high-availability]), which only some operator
// releases take.
func checkScalars(d *Document) ([]byte, problem.List, []string) {
	if !bytes.Contains(d.JSON, []byte(`"flinkConfiguration"`)) && !bytes.Contains(d.JSON, []byte(`"cpu"`)) {
		return d.JSON, nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(d.JSON))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return d.JSON, nil, nil // reported by the strict decode
	}
	var probs problem.List
	var nested []string
	walkScalars(doc, "", "", func(path string, parent, key string, m map[string]any) {
		v := m[key]
		switch {
		case key == "flinkConfiguration" && parent != "flinkConfiguration":
			switch v.(type) {
			case map[string]any, nil:
			default:
				// Said here, with its path: the type's own decoder cannot.
				probs = append(probs, problem.Errorf(d.File, d.Ref(), path, "wrong type: got %s, want a mapping", jsonKind(v)))
				delete(m, key)
			}
		case parent == "flinkConfiguration":
			if sub, ok := v.(map[string]any); ok {
				nested = append(nested, path)
				probs = append(probs, checkNestedConfig(d, path, sub)...)
				return
			}
			if _, err := api.ConfigValue(v); err != nil {
				probs = append(probs, problem.Errorf(d.File, d.Ref(), path, "wrong type: %v", err))
				delete(m, key)
			}
		case parent == "resource" && key == "cpu":
			s, ok := v.(string)
			if !ok {
				return
			}
			hint := "write the number of cores, such as 0.5 or 2"
			if sub := millicores.FindStringSubmatch(s); sub != nil {
				n, _ := strconv.Atoi(sub[1])
				cores := strconv.FormatFloat(float64(n)/1000, 'f', -1, 64)
				hint = "write " + cores
				m[key] = json.Number(cores)
			} else if _, err := strconv.ParseFloat(s, 64); err == nil {
				hint = "write it unquoted: " + s
				m[key] = json.Number(s)
			} else {
				delete(m, key)
			}
			probs = append(probs, problem.Errorf(d.File, d.Ref(), path, "wrong type: got string %q, want a number of CPU cores: %s", s, hint))
		}
	})
	sort.Strings(nested)
	if len(probs) == 0 {
		return d.JSON, nil, nested
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return d.JSON, probs, nested
	}
	return data, probs, nested
}

// checkNestedConfig reports (and removes) values inside a nested
// flinkConfiguration mapping that are not Flink configuration values.
func checkNestedConfig(d *Document, path string, m map[string]any) problem.List {
	var probs problem.List
	for k, v := range m {
		p := path + "." + k
		if strings.ContainsAny(k, ".[]") {
			p = path + "[" + k + "]"
		}
		if sub, ok := v.(map[string]any); ok {
			probs = append(probs, checkNestedConfig(d, p, sub)...)
			continue
		}
		if _, err := api.ConfigValue(v); err != nil {
			probs = append(probs, problem.Errorf(d.File, d.Ref(), p, "wrong type: %v", err))
			delete(m, k)
		}
	}
	return probs
}

// walkScalars calls fn for every key of every mapping, with its field path
// (flinkConfiguration keys, which hold dots, in brackets) and the key of the
// mapping that holds it.
func walkScalars(v any, path, parent string, fn func(path, parent, key string, m map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		for k := range t {
			p := joinPath(path, k)
			if parent == "flinkConfiguration" || strings.ContainsAny(k, ".[]") {
				p = path + "[" + k + "]"
			}
			fn(p, parent, k, t)
			walkScalars(t[k], p, k, fn)
		}
	case []any:
		for i, c := range t {
			walkScalars(c, fmt.Sprintf("%s[%d]", path, i), parent, fn)
		}
	}
}
