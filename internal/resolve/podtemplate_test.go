package resolve

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitPodTemplates(t *testing.T) {
	tests := []struct {
		name, override string
		under          []string
		want           string
	}{
		{name: "job override", override: `{"image":"i","podTemplate":{"spec":{}},"jobManager":{"replicas":2,"podTemplate":{}},"taskManager":{"podTemplate":{}}}`,
			want: `{"image":"i","jobManager":{"replicas":2},"taskManager":{}}`},
		{name: "platform override", under: []string{"flink"}, override: `{"region":"r","flink":{"image":"i","podTemplate":{"spec":{}},"taskManager":{"podTemplate":{}}}}`,
			want: `{"region":"r","flink":{"image":"i","taskManager":{}}}`},
		{name: "a platform override's top-level podTemplate is not a pod template", under: []string{"flink"}, override: `{"podTemplate":{}}`,
			want: `{"podTemplate":{}}`},
		{name: "null stays for the merge patch to remove", under: []string{"flink"}, override: `{"flink":{"podTemplate":null,"jobManager":{"podTemplate":null}}}`,
			want: `{"flink":{"podTemplate":null,"jobManager":{"podTemplate":null}}}`},
		{name: "no flink", under: []string{"flink"}, override: `{"region":"r"}`, want: `{"region":"r"}`},
		{name: "flink null", under: []string{"flink"}, override: `{"flink":null}`, want: `{"flink":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want any
			if err := json.Unmarshal(splitPodTemplates(json.RawMessage(tt.override), tt.under...), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
