// Package component defines what every krm-flink component does: turn the
// plan of one environment into Kubernetes objects.
package component

import (
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Renderer renders one component. Problems in the user's input come back as
// a problem.List error; anything else is an internal error. A problem.List
// holding only warnings is not a failure: the objects returned with it are
// kept and the warnings reported.
type Renderer interface {
	// Name is the component's name: its config key and output folder.
	Name() string
	// Render returns the component's objects for one environment.
	Render(p *resolve.Plan) ([]*manifest.Object, error)
}
