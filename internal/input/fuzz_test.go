package input

import "testing"

// FuzzDecode feeds arbitrary bytes through the whole input path: splitting,
// strict decoding and collecting. Any outcome but a panic is fine; every
// failure must be a problem naming the file.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(job))
	f.Add([]byte("apiVersion: krm-flink.io/v1alpha1\nkind: FlinkPlatform\nmetadata: {name: p}\nspec: {clusterName: c, region: r, environments: [{name: dev, overrides: {flink: {image: x}}}]}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte(aliasBomb()))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, probs := SplitDocuments("fuzz.yaml", data)
		for _, p := range probs {
			if p.File != "fuzz.yaml" || p.Message == "" {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
		set, _ := Collect(docs, Options{})
		if set == nil {
			t.Fatal("Collect returned no set")
		}
	})
}
