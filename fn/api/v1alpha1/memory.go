package v1alpha1

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// flinkMemory is Flink's MemorySize syntax: a number and an optional unit.
var flinkMemory = regexp.MustCompile(`^([0-9]+)\s*([a-zA-Z]*)$`)

var flinkUnits = map[string]int64{
	"": 1, "b": 1, "bytes": 1,
	"k": 1 << 10, "kb": 1 << 10, "kibibytes": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mebibytes": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gibibytes": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tebibytes": 1 << 40,
}

// ParseMemory reads a memory size the way the Flink operator does: Flink's
// own notation first ("2048m" is 2048 MiB, not 2.048 bytes), then Kubernetes
// quantities ("2Gi"). It returns bytes.
func ParseMemory(s string) (int64, error) {
	if m := flinkMemory.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		if mult, ok := flinkUnits[strings.ToLower(m[2])]; ok {
			n, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil || n > (1<<62)/mult {
				return 0, fmt.Errorf("memory size out of range")
			}
			if n == 0 {
				return 0, fmt.Errorf("must be greater than zero")
			}
			return n * mult, nil
		}
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return 0, fmt.Errorf("must be a memory size such as 2048m, 2g or 2Gi")
	}
	if q.Sign() <= 0 {
		return 0, fmt.Errorf("must be greater than zero")
	}
	return q.Value(), nil
}

// ParseKubeVersion accepts "1.29", "1.29.3" or "v1.29.3" and returns "v1.29.3"-style.
func ParseKubeVersion(v string) (string, error) {
	s := strings.TrimPrefix(v, "v")
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return "", fmt.Errorf("must be a Kubernetes version such as 1.29.0")
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return "", fmt.Errorf("must be a Kubernetes version such as 1.29.0")
		}
	}
	if len(parts) == 2 {
		s += ".0"
	}
	return "v" + s, nil
}
