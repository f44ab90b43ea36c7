package manifest

import (
	"bytes"

	"go.yaml.in/yaml/v3"
)

// Encode writes v, an object's map or any value of JSON types, as one YAML
// document with go.yaml.in/yaml/v3, the one YAML encoder of everything
// krm-flink writes: keys sorted, block style, two-space indentation,
// sequences at their key's column (as kubectl writes them), long strings on
// one line. Decode reads what it writes back as the same map.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
