package source

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/internal/chart"
)

// BuiltIn is a chart of krm-flink's catalog.
type BuiltIn struct {
	Name    string
	Version string
	// Dir is the chart's folder in catalog.Charts.
	Dir string
}

var (
	builtInOnce  sync.Once
	builtInList  []BuiltIn
	builtInErr   error
	builtInMu    sync.Mutex
	builtInCache = map[string]*chart.Chart{}
)

// BuiltIns lists the catalog's charts by name and version.
func BuiltIns() ([]BuiltIn, error) {
	builtInOnce.Do(func() {
		entries, err := fs.ReadDir(catalog.Charts, "charts")
		if err != nil {
			builtInErr = err
			return
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			dir := path.Join("charts", e.Name())
			data, err := fs.ReadFile(catalog.Charts, path.Join(dir, "Chart.yaml"))
			if err != nil {
				builtInErr = err
				return
			}
			var meta struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			}
			if err := sigsyaml.Unmarshal(data, &meta); err != nil {
				builtInErr = fmt.Errorf("%s/Chart.yaml: %w", dir, err)
				return
			}
			builtInList = append(builtInList, BuiltIn{Name: meta.Name, Version: meta.Version, Dir: dir})
		}
		sort.Slice(builtInList, func(i, j int) bool {
			if builtInList[i].Name != builtInList[j].Name {
				return builtInList[i].Name < builtInList[j].Name
			}
			return builtInList[i].Version < builtInList[j].Version
		})
	})
	return builtInList, builtInErr
}

// loadBuiltIn loads a catalog chart; the version must match exactly (a
// leading "v" aside). Charts are parsed once per process.
func loadBuiltIn(name, version string) (*Loaded, error) {
	all, err := BuiltIns()
	if err != nil {
		return nil, err
	}
	var have []string
	for _, b := range all {
		if b.Name != name {
			continue
		}
		have = append(have, b.Version)
		if strings.TrimPrefix(b.Version, "v") != strings.TrimPrefix(version, "v") {
			continue
		}
		builtInMu.Lock()
		c, ok := builtInCache[b.Dir]
		if !ok {
			c, err = chart.LoadFS(catalog.Charts, b.Dir)
			if err != nil {
				builtInMu.Unlock()
				return nil, err
			}
			builtInCache[b.Dir] = c
		}
		builtInMu.Unlock()
		return &Loaded{Chart: c, Source: "built-in " + name, BuiltIn: true}, nil
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("krm-flink has no built-in chart %s: give the component a chart source", name)
	}
	return nil, fmt.Errorf("krm-flink's built-in %s chart is %s, not %s: pin %s or give the component a chart source (docs/charts.md names the upstream repositories)",
		name, strings.Join(have, ", "), version, strings.Join(have, " or "))
}
