package krmfn

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	sigsyaml "sigs.k8s.io/yaml"
)

// TestExecuteWritesWhatTheSDKWrites runs every testdata/fn case through
// Execute, krm-flink's own reader and writer, and through the SDK's
// fn.Execute with Processor, and expects the same ResourceList: the same
// items, function config and results, in the same order (YAML formatting
// aside), and the same failure.
func TestExecuteWritesWhatTheSDKWrites(t *testing.T) {
	cases, err := os.ReadDir(filepath.Join("..", "..", "testdata", "fn"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		dir := filepath.Join("..", "..", "testdata", "fn", c.Name())
		t.Run(c.Name(), func(t *testing.T) {
			in := inputList(t, dir)
			var out bytes.Buffer
			results, err := Execute(bytes.NewReader(in), &out, nil)
			if err != nil && !errors.Is(err, ErrFunctionFailure) {
				t.Fatal(err)
			}
			if failed := errors.Is(err, ErrFunctionFailure); failed != (results.ExitCode() != 0) {
				t.Errorf("function failure %v, but the results' exit code is %d", failed, results.ExitCode())
			}
			var want bytes.Buffer
			sdkErr := fn.Execute(Processor, bytes.NewReader(in), &want)
			if (sdkErr == nil) != (err == nil) {
				t.Errorf("Execute: %v; the SDK: %v", err, sdkErr)
			}
			if diff := cmp.Diff(asData(t, want.Bytes()), asData(t, out.Bytes())); diff != "" {
				t.Errorf("Execute differs from the SDK's output (-sdk +execute):\n%s", diff)
			}
		})
	}
}

// inputList is the ResourceList the SDK's golden test helpers feed a case:
// resources.yaml as items, _fnconfig.yaml as the function config.
func inputList(t *testing.T, dir string) []byte {
	t.Helper()
	rl := &fn.ResourceList{}
	if data, err := os.ReadFile(filepath.Join(dir, "resources.yaml")); err == nil {
		items, err := fn.ParseKubeObjects(data)
		if err != nil {
			t.Fatal(err)
		}
		rl.Items = items
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "_fnconfig.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if rl.FunctionConfig, err = fn.ParseKubeObject(cfg); err != nil {
		t.Fatal(err)
	}
	data, err := rl.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// asData is a ResourceList's content as plain data.
func asData(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := sigsyaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%v:\n%s", err, data)
	}
	return m
}
