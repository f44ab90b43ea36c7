package v1alpha1

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestOperatorAtLeast(t *testing.T) {
	for _, tc := range []struct {
		v, min string
		want   bool
	}{
		{"1.7.0", "1.10", false},
		{"1.9.0", "1.10", false},
		{"1.10.0", "1.10", true},
		{"1.13.1", "1.14", false},
		{"1.14.0", "1.14", true},
		{"1.15.0", "1.14", true},
		{"2.0.0", "1.14", true},
		{"v1.10.0", "1.10", true},
		{"main", "1.10", true}, // not a release: the newest CRDs apply
	} {
		if got := OperatorAtLeast(tc.v, tc.min); got != tc.want {
			t.Errorf("OperatorAtLeast(%q, %q) = %v, want %v", tc.v, tc.min, got, tc.want)
		}
	}
}

func TestSessionRefusesJobFields(t *testing.T) {
	one := int32(1)
	for _, tc := range []struct {
		name   string
		fields JobFields
		want   []string
	}{
		{"none", JobFields{Owner: "t", TaskSlots: &one}, nil},
		{"jar and parallelism", JobFields{JobRun: JobRun{JarURI: "local:///x.jar", Parallelism: &one}}, []string{"spec.jarURI", "spec.parallelism"}},
		{"snapshots and blue/green", JobFields{Snapshots: []Snapshot{{Name: "s"}}, BlueGreen: &BlueGreen{}}, []string{"spec.snapshots", "spec.blueGreen"}},
		{"autoscaler", JobFields{Autoscaler: &Autoscaler{Enabled: true}}, []string{"spec.autoscaler"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := sessionOnlyErrors(field.NewPath("spec"), &tc.fields)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
				if !strings.Contains(e.Detail, KindSessionJob) {
					t.Errorf("%s: %q does not point to %s", e.Field, e.Detail, KindSessionJob)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("refused %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSnapshotsNeedOperator110(t *testing.T) {
	snaps := []Snapshot{{Name: "s", Type: SnapshotSavepoint}}
	for _, tc := range []struct {
		version string
		errs    int
	}{{"1.7.0", 1}, {"1.9.0", 1}, {"1.10.0", 0}, {"1.15.0", 0}} {
		errs := ValidateSnapshots(field.NewPath("spec", "snapshots"), "job", snaps, tc.version)
		if len(errs) != tc.errs {
			t.Errorf("operator %s: %d errors, want %d: %v", tc.version, len(errs), tc.errs, errs)
		}
		for _, e := range errs {
			if !strings.Contains(e.Detail, tc.version) || !strings.Contains(e.Detail, "savepointTriggerNonce") {
				t.Errorf("operator %s: %q names neither the version nor the nonce way", tc.version, e.Detail)
			}
		}
	}
}

func TestBlueGreenNeedsOperator114(t *testing.T) {
	for _, tc := range []struct {
		version string
		errs    int
	}{{"1.7.0", 1}, {"1.13.0", 1}, {"1.14.0", 0}, {"1.15.0", 0}} {
		errs := validateBlueGreen(field.NewPath("spec", "blueGreen"), &BlueGreen{}, tc.version)
		if len(errs) != tc.errs {
			t.Errorf("operator %s: %d errors, want %d: %v", tc.version, len(errs), tc.errs, errs)
		}
	}
}

func TestSnapshotObjectNameFitsALabel(t *testing.T) {
	job := strings.Repeat("j", 45)
	for _, tc := range []struct {
		name string
		errs int
	}{{strings.Repeat("s", 17), 0}, {strings.Repeat("s", 18), 1}} {
		errs := ValidateSnapshots(field.NewPath("spec", "snapshots"), job, []Snapshot{{Name: tc.name, Type: SnapshotSavepoint}}, "1.15.0")
		if len(errs) != tc.errs {
			t.Errorf("snapshot name of %d characters: %v, want %d errors", len(tc.name), errs, tc.errs)
		}
	}
}

func TestSnapshotObjectName(t *testing.T) {
	for _, tc := range []struct {
		snap     Snapshot
		wantName string
		errs     int
	}{
		{Snapshot{Name: "hourly"}, "ledger-hourly", 0},
		{Snapshot{Name: "pre-migration", ObjectName: "pre-migration"}, "pre-migration", 0},
		// objectName lifts the <job>-<name> length rule but must itself fit a label.
		{Snapshot{Name: strings.Repeat("s", 60), ObjectName: "kept"}, "kept", 0},
		{Snapshot{Name: "x", ObjectName: "Not_A_Label"}, "Not_A_Label", 1},
		{Snapshot{Name: "x", ObjectName: strings.Repeat("o", 64)}, strings.Repeat("o", 64), 1},
	} {
		tc.snap.Type = SnapshotSavepoint
		if got := tc.snap.ObjectNameFor("ledger"); got != tc.wantName {
			t.Errorf("%+v: object name %q, want %q", tc.snap, got, tc.wantName)
		}
		errs := ValidateSnapshots(field.NewPath("spec", "snapshots"), "ledger", []Snapshot{tc.snap}, "1.15.0")
		if len(errs) != tc.errs {
			t.Errorf("%+v: %v, want %d errors", tc.snap, errs, tc.errs)
		}
	}
}
