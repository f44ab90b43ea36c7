package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Shared is a setting most imported jobs give the same value: a candidate
// for the platform's spec.flink, which would shorten every one of them.
type Shared struct {
	// Field is the job field, e.g. flinkConfiguration[state.backend.type].
	Field string
	Value string
	Jobs  int
}

// platformDefaultable are the job fields spec.flink can default.
var platformDefaultable = []string{"image", "imagePullPolicy", "flinkVersion", "serviceAccount",
	"flinkConfiguration", "jobManager", "taskManager", "taskSlots"}

// SharedSettings lists the settings that more than half of the jobs, and
// at least two, give the same value, most shared first.
func SharedSettings(jobs []*Job) []Shared {
	counts := map[[2]string]int{}
	for _, j := range jobs {
		if j.Spec == nil {
			continue // a session job has none of the settings
		}
		data, err := json.Marshal(j.Spec.Spec.JobFields)
		if err != nil {
			continue
		}
		var fields map[string]any
		if json.Unmarshal(data, &fields) != nil {
			continue
		}
		for _, name := range platformDefaultable {
			if v, ok := fields[name]; ok {
				leaves(v, []string{name}, func(path []string, v any) {
					counts[[2]string{formatPath(path), text(v)}]++
				})
			}
		}
	}
	var out []Shared
	for k, n := range counts {
		if n >= 2 && 2*n > len(jobs) {
			out = append(out, Shared{Field: k[0], Value: k[1], Jobs: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Jobs != out[j].Jobs {
			return out[i].Jobs > out[j].Jobs
		}
		if out[i].Field != out[j].Field {
			return out[i].Field < out[j].Field
		}
		return out[i].Value < out[j].Value
	})
	return out
}

func leaves(v any, path []string, fn func([]string, any)) {
	if m, ok := v.(map[string]any); ok {
		for k, c := range m {
			leaves(c, appendPath(path, k), fn)
		}
		return
	}
	fn(path, v)
}

// WriteSummary prints what was imported and the shared settings.
func WriteSummary(w io.Writer, r *Result, dir string) {
	fmt.Fprintf(w, "imported %d job(s) for environment %s into %s\n", len(r.Jobs), r.Env, dir)
	if len(r.Kept) > 0 {
		fmt.Fprintf(w, "kept %d object(s) as they are, passed through by render as objects of your own\n", len(r.Kept))
	}
	shared := SharedSettings(r.Jobs)
	if len(shared) == 0 {
		return
	}
	fmt.Fprintln(w, "settings most jobs share (candidates for the platform's spec.flink; set there, they leave the jobs):")
	for _, s := range shared {
		fmt.Fprintf(w, "  %s: %s (%d of %d jobs)\n", s.Field, quoteIfNeeded(s.Value), s.Jobs, len(r.Jobs))
	}
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " :#\"'") {
		return fmt.Sprintf("%q", s)
	}
	return s
}
