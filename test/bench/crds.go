package bench

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path"
	"path/filepath"
	"sort"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/catalog"
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
)

// The large-CRD case: real upstream charts are dominated by their CRDs (the
// Flink operator's FlinkDeployment CRD is about 540 KB), the fixture charts
// are not. Generate writes local copies of the four fixture charts, each
// with one synthetic CRD of about CRDSize bytes in crds/, and points the
// platform's components at them.
const (
	// ChartsDir holds the chart copies, beside PlatformDir so that
	// `render -f platform` does not read them as input.
	ChartsDir = "charts"
	// CRDSize is the size each synthetic CRD file aims at.
	CRDSize = 540_000
	// CRDGroup is the API group of the synthetic CRDs.
	CRDGroup = "bench.krm-flink.io"
)

// largeCRDEnvs are the environments of the large-CRD case, each its own
// cluster: dev on the platform's, prod on c1-prod.
var largeCRDEnvs = []string{"dev", "prod"}

// largeCRDComponents are the components the large-CRD case points at local
// chart copies, in a fixed order.
var largeCRDComponents = []string{
	api.ComponentCertManager, api.ComponentFlinkOperator, api.ComponentFluentBit, api.ComponentKarpenter,
}

// writeLargeCRDCharts copies each component's built-in chart under
// dir/ChartsDir/<chart> with a synthetic CRD added to its crds/ folder, and
// points the platform's components at the copies.
func writeLargeCRDCharts(dir string, p *api.FlinkPlatform) error {
	comps := &p.Spec.Components
	for i, name := range largeCRDComponents {
		chartName := api.ComponentDefaults[name].Chart
		dst := filepath.Join(dir, ChartsDir, chartName)
		if err := copyBuiltInChart(chartName, dst); err != nil {
			return err
		}
		crd, err := LargeCRD(name, uint64(i+1), CRDSize)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dst, "crds", crdFileName(name)), crd); err != nil {
			return err
		}
		src := &api.ChartSource{Path: path.Join("..", ChartsDir, chartName)}
		switch name {
		case api.ComponentCertManager:
			comps.CertManager.Chart = src
		case api.ComponentFlinkOperator:
			comps.FlinkOperator.Chart = src
		case api.ComponentFluentBit:
			comps.FluentBit.Chart = src
		case api.ComponentKarpenter:
			comps.Karpenter.Chart = src
		}
	}
	return nil
}

func copyBuiltInChart(chartName, dst string) error {
	root := "charts/" + chartName
	return fs.WalkDir(catalog.Charts, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(catalog.Charts, p)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(dst, filepath.FromSlash(strings.TrimPrefix(p, root+"/"))), data)
	})
}

// crdKind is the kind of a component's synthetic CRD, e.g. LargeFlinkOperator.
func crdKind(component string) string {
	var b strings.Builder
	b.WriteString("Large")
	for _, part := range strings.Split(component, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func crdFileName(component string) string {
	return strings.ToLower(crdKind(component)) + "s." + CRDGroup + ".yaml"
}

// LargeCRD returns a CustomResourceDefinition of about size bytes of YAML,
// shaped like a generated upstream CRD: one served version whose
// openAPIV3Schema nests objects about a dozen levels deep with thousands of
// properties, most with a long description. The same component and seed
// always give the same bytes.
func LargeCRD(component string, seed uint64, size int) ([]byte, error) {
	kind := crdKind(component)
	plural := strings.ToLower(kind) + "s"
	rng := rand.New(rand.NewPCG(seed, uint64(size)))
	specProps := map[string]any{}
	crd := map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": plural + "." + CRDGroup},
		"spec": map[string]any{
			"group": CRDGroup,
			"names": map[string]any{
				"kind": kind, "listKind": kind + "List", "plural": plural, "singular": strings.ToLower(kind),
			},
			"scope": "Namespaced",
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"subresources": map[string]any{"status": map[string]any{}},
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type":        "object",
					"description": description(rng),
					"properties": map[string]any{
						"apiVersion": map[string]any{"type": "string"},
						"kind":       map[string]any{"type": "string"},
						"metadata":   map[string]any{"type": "object"},
						"spec":       map[string]any{"type": "object", "properties": specProps},
						"status":     map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true},
					},
				}},
			}},
		},
	}
	// Each field of spec is a subtree. What one adds to the file is about
	// what it marshals to alone plus the indentation of its depth; the
	// estimate is then scaled by the real size and the fields after the
	// one that reaches it are left out.
	base, err := sigsyaml.Marshal(crd)
	if err != nil {
		return nil, err
	}
	type field struct {
		name string
		sum  int // estimated size of the file up to this field
	}
	var fields []field
	for total := len(base); total < size; {
		name := fmt.Sprintf("%s%d", fieldWords[len(fields)%len(fieldWords)], len(fields)/len(fieldWords))
		budget := subtreeNodes
		sub := schemaNode(rng, 0, &budget)
		data, err := sigsyaml.Marshal(sub)
		if err != nil {
			return nil, err
		}
		total += len(name) + 16 + len(data) + 16*strings.Count(string(data), "\n")
		specProps[name] = sub
		fields = append(fields, field{name, total})
	}
	data, err := sigsyaml.Marshal(crd)
	if err != nil || len(fields) == 0 {
		return data, err
	}
	limit := size * fields[len(fields)-1].sum / len(data)
	for i, f := range fields {
		if i > 0 && fields[i-1].sum >= limit {
			delete(specProps, f.name)
		}
	}
	return sigsyaml.Marshal(crd)
}

// subtreeNodes bounds the schema nodes of one field of spec, so that the
// tree goes deep (depth first) without growing exponentially.
const subtreeNodes = 40

// schemaNode is one property's schema: an object of 2 to 6 properties, a
// list of such objects or a map of strings down to depth 11 while budget
// lasts, a scalar below or by chance.
func schemaNode(rng *rand.Rand, depth int, budget *int) map[string]any {
	*budget--
	n := map[string]any{}
	if rng.IntN(5) < 2 {
		n["description"] = description(rng)
	}
	r := rng.IntN(10)
	if *budget <= 0 && r < 6 {
		r += 6
	}
	switch {
	case depth < 11 && r < 5:
		n["type"] = "object"
		props := map[string]any{}
		for i, k := 0, 2+rng.IntN(5); i < k; i++ {
			props[fieldWords[rng.IntN(len(fieldWords))]+fmt.Sprint(i)] = schemaNode(rng, depth+1, budget)
		}
		n["properties"] = props
		if rng.IntN(4) == 0 {
			var req []string
			for k := range props {
				req = append(req, k)
			}
			sort.Strings(req)
			n["required"] = req[:1]
		}
	case depth < 11 && r < 6:
		n["type"] = "array"
		n["items"] = schemaNode(rng, depth+1, budget)
	case r < 7:
		n["type"] = "object"
		n["additionalProperties"] = map[string]any{"type": "string"}
	case r < 8:
		n["type"] = "integer"
		n["format"] = "int32"
		n["minimum"] = 0
	case r < 9:
		n["type"] = "string"
		n["enum"] = []any{"Always", "IfNotPresent", "Never"}
	default:
		n["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
		n["x-kubernetes-int-or-string"] = true
	}
	return n
}

// description is prose of 40 to 300 characters, as generated CRDs carry
// from the Go doc comments of their types.
func description(rng *rand.Rand) string {
	want := 40 + rng.IntN(260)
	var b strings.Builder
	for b.Len() < want {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(proseWords[rng.IntN(len(proseWords))])
	}
	b.WriteByte('.')
	return b.String()
}

var (
	fieldWords = []string{"config", "template", "volume", "selector", "affinity", "resources", "probe",
		"container", "securityContext", "tolerations", "ingress", "podTemplate", "lifecycle", "env", "mount"}
	proseWords = []string{"the", "of", "a", "to", "is", "in", "container", "pod", "which", "must", "be",
		"specified", "field", "value", "when", "not", "set", "default", "Kubernetes", "resource", "may",
		"selector", "optional", "cannot", "updated", "more", "info:", "https://kubernetes.io/docs/concepts",
		"defaults", "to", "empty", "string", "this", "applies", "only", "if", "present"}
)
