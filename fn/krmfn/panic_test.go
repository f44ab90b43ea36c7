package krmfn

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

const panicInput = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
functionConfig:
  apiVersion: krm-flink.io/v1alpha1
  kind: FlinkPlatform
  metadata: {name: p}
  spec: {clusterName: c, region: r, environments: [{name: dev}]}
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: keep-me, namespace: default}
`

// TestPanicBecomesErrorResult injects a panic into the function, through
// Execute (what the binary runs) and through the SDK with Processor, and
// checks it comes back as an "internal error" result with the items as they
// came, the stack only with a debug writer.
func TestPanicBecomesErrorResult(t *testing.T) {
	panicHook = func() { panic("injected failure") }
	defer func() { panicHook = nil }()
	for _, tc := range []struct {
		name  string
		run   func(out *bytes.Buffer, stack io.Writer) error
		stack *bytes.Buffer
	}{
		{name: "sdk", run: func(out *bytes.Buffer, _ io.Writer) error {
			return fn.Execute(Processor, strings.NewReader(panicInput), out)
		}},
		{name: "execute", run: executeInto},
		{name: "execute-debug", run: executeInto, stack: &bytes.Buffer{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			var stack io.Writer
			if tc.stack != nil {
				stack = tc.stack
			}
			if err := tc.run(&out, stack); err == nil {
				t.Fatal("a panicking function succeeded")
			}
			rl, perr := fn.ParseResourceList(out.Bytes())
			if perr != nil {
				t.Fatalf("output is not a ResourceList: %v\n%s", perr, out.String())
			}
			if len(rl.Results) != 1 || rl.Results[0].Severity != fn.Error || !strings.HasPrefix(rl.Results[0].Message, "internal error: injected failure") {
				t.Errorf("results = %v", rl.Results)
			}
			if len(rl.Items) != 1 || rl.Items[0].GetName() != "keep-me" {
				t.Errorf("items not handed back as they came: %v", rl.Items)
			}
			if strings.Contains(rl.Results[0].Message, "goroutine ") {
				t.Error("the stack leaked into the result")
			}
			if tc.stack != nil && !strings.Contains(tc.stack.String(), "panic_test.go") {
				t.Errorf("debug mode printed no stack:\n%s", tc.stack.String())
			}
		})
	}
}

func executeInto(out *bytes.Buffer, stack io.Writer) error {
	_, err := Execute(strings.NewReader(panicInput), out, stack)
	return err
}
