package v1alpha1

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFlinkConfigurationUnmarshal(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    FlinkConfiguration
		wantErr string
	}{
		"strings": {in: `{"a.b": "x"}`, want: FlinkConfiguration{"a.b": "x"}},
		"numbers as written": {in: `{"n": 2, "f": 0.10, "e": 1e3, "neg": -1.50}`,
			want: FlinkConfiguration{"n": "2", "f": "0.10", "e": "1e3", "neg": "-1.50"}},
		"booleans":   {in: `{"t": true, "f": false}`, want: FlinkConfiguration{"t": "true", "f": "false"}},
		"null value": {in: `{"a": null}`, want: FlinkConfiguration{"a": ""}},
		"nested": {in: `{"high-availability": {"type": "kubernetes", "storageDir": "s3://b"}, "state": {"backend": {"incremental": true}}}`,
			want: FlinkConfiguration{"high-availability.type": "kubernetes", "high-availability.storageDir": "s3://b", "state.backend.incremental": "true"}},
		"nested and dotted keys side by side": {in: `{"a": {"b": "1"}, "a.c": "2"}`, want: FlinkConfiguration{"a.b": "1", "a.c": "2"}},
		"null":                                {in: `null`, want: nil},
		"a key twice":                         {in: `{"a": {"b": "1"}, "a.b": "2"}`, wantErr: "flinkConfiguration[a.b] is given twice, nested and as a dotted key"},
		"a list":                              {in: `{"pipeline": {"jars": ["a", "b"]}}`, wantErr: "flinkConfiguration[pipeline.jars]: got a list: write a Flink list option as one string, items separated by ';'"},
		"not a mapping":                       {in: `["a"]`, wantErr: "flinkConfiguration must be a mapping of keys to strings, numbers, booleans or mappings"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got FlinkConfiguration
			err := json.Unmarshal([]byte(tc.in), &got)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFlinkConfigurationIsAStringMap: code that reads map[string]string
// takes the type as it is.
func TestFlinkConfigurationIsAStringMap(t *testing.T) {
	var m map[string]string = FlinkConfiguration{"a": "b"}
	if m["a"] != "b" {
		t.Fatal(m)
	}
	data, err := json.Marshal(FlinkConfiguration{"a.b": "1"})
	if err != nil || string(data) != `{"a.b":"1"}` {
		t.Fatalf("%s %v", data, err)
	}
}
