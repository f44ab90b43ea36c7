package helmcomponent

import (
	"fmt"

	"github.com/mitchellh/copystructure"
)

// Merge returns base with over merged in, as new maps: maps merge key by
// key, anything else in over (lists included) replaces what base has, and a
// null in over removes the key, as Helm's --set null does.
func Merge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = deepCopy(v)
	}
	for k, v := range over {
		if v == nil {
			delete(out, k)
			continue
		}
		if om, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = Merge(bm, om)
				continue
			}
		}
		out[k] = deepCopy(v)
	}
	return out
}

// deepCopy copies a values tree, so merged values never share maps or
// lists with their inputs.
func deepCopy(v any) any {
	out, err := copystructure.Copy(v)
	if err != nil {
		// Values are maps, lists and scalars, which copystructure copies.
		panic(fmt.Sprintf("helmcomponent: copying values: %v", err))
	}
	return out
}
