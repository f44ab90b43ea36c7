package output

import "github.com/krm-flink/krm-flink/internal/yaml11"

// marshalYAML is sigs.k8s.io/yaml.Marshal, faster (yaml11.Marshal).
func marshalYAML(obj map[string]any) ([]byte, error) {
	return yaml11.Marshal(obj)
}
