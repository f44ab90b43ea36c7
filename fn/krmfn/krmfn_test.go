package krmfn

import (
	"flag"
	"os"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn/testhelpers"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenFunction runs each testdata/fn case (resources.yaml as items,
// _fnconfig.yaml as the FlinkPlatform) and compares the whole output
// ResourceList, results included, with _expected.yaml.
func TestGoldenFunction(t *testing.T) {
	if *update {
		t.Setenv("WRITE_GOLDEN_OUTPUT", "1")
		defer os.Unsetenv("WRITE_GOLDEN_OUTPUT")
	}
	testhelpers.RunGoldenTests(t, "../../testdata/fn", Processor)
}
