package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/krm-flink/krm-flink/internal/problem"
)

// millicores is a Kubernetes CPU quantity in millicores ("500m").
var millicores = regexp.MustCompile(`^([0-9]+)m$`)

// checkScalars finds the two mistakes YAML makes easy, which a plain type
// error would report without the key or without the fix: an unquoted number
// or boolean as a flinkConfiguration value (Flink configuration values are
// strings), and a Kubernetes CPU quantity ("500m") where krm-flink takes a
// number of cores. It reports each one and returns the document with the
// value corrected, so decoding goes on to report everything else.
func checkScalars(d *Document) ([]byte, problem.List) {
	if !bytes.Contains(d.JSON, []byte(`"flinkConfiguration"`)) && !bytes.Contains(d.JSON, []byte(`"cpu"`)) {
		return d.JSON, nil
	}
	dec := json.NewDecoder(bytes.NewReader(d.JSON))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return d.JSON, nil // reported by the strict decode
	}
	var probs problem.List
	walkScalars(doc, "", "", func(path string, parent, key string, m map[string]any) {
		v := m[key]
		switch {
		case parent == "flinkConfiguration":
			if _, ok := v.(string); ok || v == nil {
				return
			}
			text := fmt.Sprint(v)
			probs = append(probs, problem.Errorf(d.File, d.Ref(), path,
				"wrong type: got %s %s, want a string: Flink configuration values are strings, so quote it (%q)", kindOf(v), text, text))
			m[key] = text
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
	if len(probs) == 0 {
		return d.JSON, nil
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return d.JSON, probs
	}
	return data, probs
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

func kindOf(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	}
	return "value"
}
