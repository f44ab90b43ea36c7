package v1alpha1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// FlinkConfiguration is Flink configuration as a Flink user writes it:
// values are strings, numbers or booleans (a number keeps the text it was
// written with: 0.10 stays "0.10"), and keys may nest as in Flink's
// config.yaml (high-availability: {type: kubernetes}). The map holds the
// flat form, nested keys joined with dots (high-availability.type), which
// is how the operator itself reads nested configuration and what every
// operator release accepts; krm-flink renders that flat form, values as
// strings. Nested input needs a Flink operator (1.13+) whose CRD takes
// structured flinkConfiguration.
type FlinkConfiguration map[string]string

// UnmarshalJSON reads strings, numbers, booleans and nested mappings; null
// reads as an empty value. A list, or a key given both nested and flat, is
// an error naming the key.
func (c *FlinkConfiguration) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*c = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("flinkConfiguration must be a mapping of keys to strings, numbers, booleans or mappings")
	}
	out := make(FlinkConfiguration, len(m))
	if err := flattenConfig(m, "", out); err != nil {
		return err
	}
	*c = out
	return nil
}

// flattenConfig writes m's values into out under prefix, nested keys
// joined with dots, keys in order so a conflict is always the same one.
func flattenConfig(m map[string]any, prefix string, out FlinkConfiguration) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if nested, ok := m[k].(map[string]any); ok {
			if err := flattenConfig(nested, key, out); err != nil {
				return err
			}
			continue
		}
		v, err := ConfigValue(m[k])
		if err != nil {
			return fmt.Errorf("flinkConfiguration[%s]: %w", key, err)
		}
		if _, dup := out[key]; dup {
			return fmt.Errorf("flinkConfiguration[%s] is given twice, nested and as a dotted key", key)
		}
		out[key] = v
	}
	return nil
}

// ConfigValue is the string form of one decoded (json.Number) Flink
// configuration value, or an error saying what to write instead.
func ConfigValue(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case json.Number:
		return t.String(), nil
	case bool:
		return strconv.FormatBool(t), nil
	case nil:
		return "", nil
	case []any:
		return "", fmt.Errorf("got a list: write a Flink list option as one string, items separated by ';'")
	}
	return "", fmt.Errorf("got %T, want a string, number, boolean or mapping", v)
}
