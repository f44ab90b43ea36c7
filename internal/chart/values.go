package chart

import (
	"fmt"
	"log"

	"helm.sh/helm/v3/pkg/chartutil"
)

// toRenderValues is chartutil.ToRenderValuesWithSchemaValidation(c, vals,
// options, caps, true) for a chart without dependencies (Concurrent), with
// Helm's coalescing (helm v3.22.0, pkg/chartutil/coalesce.go; Copyright
// The Helm Authors, Apache License 2.0) but a plain deep copy where Helm
// copies by reflection (copystructure): values made of maps, lists and
// scalars copy the same either way. Other values go through Helm.
func toRenderValues(c *Chart, vals map[string]any, options chartutil.ReleaseOptions, caps *chartutil.Capabilities) (chartutil.Values, error) {
	top := map[string]any{
		"Chart":        c.Metadata,
		"Capabilities": caps,
		"Release": map[string]any{
			"Name":      options.Name,
			"Namespace": options.Namespace,
			"IsUpgrade": options.IsUpgrade,
			"IsInstall": options.IsInstall,
			"Revision":  options.Revision,
			"Service":   "Helm",
		},
	}
	values, ok := coalesceValues(c, vals)
	if !ok {
		return chartutil.ToRenderValuesWithSchemaValidation(c, vals, options, caps, true)
	}
	top["Values"] = values
	return top, nil
}

// coalesceValues is chartutil.CoalesceValues for a chart without
// dependencies; false when a value is not plain data.
func coalesceValues(c *Chart, vals map[string]any) (chartutil.Values, bool) {
	v, ok := copyPlain(vals)
	if !ok {
		return nil, false
	}
	dest, _ := v.(map[string]any)
	if dest == nil {
		dest = make(map[string]any)
	}
	var defaults map[string]any
	if c.Values != nil {
		cv, ok := copyPlain(c.Values)
		if !ok {
			return nil, false
		}
		defaults = cv.(map[string]any)
	}
	prefix := c.Metadata.Name
	for key, val := range defaults {
		if value, ok := dest[key]; ok {
			if value == nil {
				delete(dest, key)
			} else if d, ok := value.(map[string]any); ok {
				src, ok := val.(map[string]any)
				if !ok {
					if val != nil {
						log.Printf("warning: skipped value for %s.%s: Not a table.", prefix, key)
					}
				} else {
					coalesceTables(d, src, concatPrefix(prefix, key))
				}
			}
		} else {
			dest[key] = val
		}
	}
	return dest, true
}

// coalesceTables is chartutil's coalesceTablesFullKey without merge.
func coalesceTables(dst, src map[string]any, prefix string) map[string]any {
	if src == nil {
		return dst
	}
	if dst == nil {
		return src
	}
	srcOriginalNonNil := make(map[string]bool)
	for key, val := range src {
		if val != nil {
			srcOriginalNonNil[key] = true
		}
	}
	for key, val := range dst {
		if val == nil {
			src[key] = nil
		}
	}
	for key, val := range src {
		fullkey := concatPrefix(prefix, key)
		if dv, ok := dst[key]; ok && dv == nil && srcOriginalNonNil[key] {
			delete(dst, key)
		} else if !ok {
			dst[key] = val
		} else if sv, ok := val.(map[string]any); ok {
			if dvm, ok := dv.(map[string]any); ok {
				coalesceTables(dvm, sv, fullkey)
			} else {
				log.Printf("warning: cannot overwrite table with non table for %s (%v)", fullkey, val)
			}
		} else if _, ok := dv.(map[string]any); ok && val != nil {
			log.Printf("warning: destination for %s is a table. Ignoring non-table value (%v)", fullkey, val)
		}
	}
	return dst
}

func concatPrefix(a, b string) string {
	if a == "" {
		return b
	}
	return fmt.Sprintf("%s.%s", a, b)
}

// copyPlain deep-copies maps, lists and scalars as copystructure.Copy
// would; false for anything else (nil maps and lists included).
func copyPlain(v any) (any, bool) {
	switch t := v.(type) {
	case nil, string, bool, int, int64, float64:
		return t, true
	case map[string]any:
		if t == nil {
			return nil, false
		}
		m := make(map[string]any, len(t))
		for k, x := range t {
			y, ok := copyPlain(x)
			if !ok {
				return nil, false
			}
			m[k] = y
		}
		return m, true
	case []any:
		if t == nil {
			return nil, false
		}
		l := make([]any, len(t))
		for i, x := range t {
			y, ok := copyPlain(x)
			if !ok {
				return nil, false
			}
			l[i] = y
		}
		return l, true
	}
	return nil, false
}
