package v1alpha1

import (
	"net/url"
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// GitOps switches on the objects that deploy the overlays with a GitOps
// tool. The overlays themselves always carry Argo CD sync waves and are
// always split into layers Flux can apply in order.
type GitOps struct {
	// +optional
	Flux *Flux `json:"flux,omitempty"`
	// +optional
	ArgoCD *ArgoCD `json:"argocd,omitempty"`
}

// Flux renders one Flux Kustomization per layer of each environment into
// overlays/<env>/flux/, each depending on the layer before it.
type Flux struct {
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// Namespace of the Kustomizations. Default flux-system.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// SourceKind is GitRepository (default), OCIRepository or Bucket.
	// +optional
	SourceKind string `json:"sourceKind,omitempty"`
	// SourceName names the source holding the overlays.
	// +required
	SourceName string `json:"sourceName,omitempty"`
	// Path of the overlays folder within the source. Default ./overlays.
	// +optional
	Path string `json:"path,omitempty"`
	// Interval between reconciliations. Default 10m.
	// +optional
	Interval string `json:"interval,omitempty"`
	// Prefix of the Kustomization names. Default flink.
	// +optional
	Prefix string `json:"prefix,omitempty"`
}

// ArgoCD renders one Application per environment into overlays/<env>/argocd/,
// and, with HealthChecks, the argocd-cm keys of the Flink health checks.
type ArgoCD struct {
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// Namespace of the Application. Default argocd.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// Project. Default default.
	// +optional
	Project string `json:"project,omitempty"`
	// RepoURL of the Git repository holding the overlays.
	// +required
	RepoURL string `json:"repoURL,omitempty"`
	// TargetRevision. Default HEAD.
	// +optional
	TargetRevision string `json:"targetRevision,omitempty"`
	// Path of the overlays folder within the repository. Default overlays.
	// +optional
	Path string `json:"path,omitempty"`
	// Server of the destination cluster. Default https://kubernetes.default.svc
	// (the cluster Argo CD runs in). Set it per environment
	// (spec.environments[].overrides.gitops.argocd.server) when one Argo CD
	// deploys to several clusters: two environments may not share one.
	// +optional
	Server string `json:"server,omitempty"`
	// Prefix of the Application name. Default flink.
	// +optional
	Prefix string `json:"prefix,omitempty"`
	// Automated sync with prune and self-heal.
	// +optional
	Automated bool `json:"automated,omitempty"`
	// HealthChecks renders argocd/configmap-argocd-cm.yaml: Argo CD health
	// checks for the Flink operator's kinds, to merge into argocd-cm in
	// Namespace. Independent of Enabled.
	// +optional
	HealthChecks bool `json:"healthChecks,omitempty"`
}

func (g *GitOps) defaults() {
	if f := g.Flux; f != nil {
		f.Namespace = firstNonEmpty(f.Namespace, "flux-system")
		f.SourceKind = firstNonEmpty(f.SourceKind, "GitRepository")
		f.Path = firstNonEmpty(f.Path, "./overlays")
		f.Interval = firstNonEmpty(f.Interval, "10m")
		f.Prefix = firstNonEmpty(f.Prefix, "flink")
	}
	if a := g.ArgoCD; a != nil {
		a.Namespace = firstNonEmpty(a.Namespace, "argocd")
		a.Project = firstNonEmpty(a.Project, "default")
		a.TargetRevision = firstNonEmpty(a.TargetRevision, "HEAD")
		a.Path = firstNonEmpty(a.Path, "overlays")
		a.Server = firstNonEmpty(a.Server, "https://kubernetes.default.svc")
		a.Prefix = firstNonEmpty(a.Prefix, "flink")
	}
}

var fluxInterval = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`)

func (g *GitOps) validate(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if f := g.Flux; f != nil && f.Enabled {
		fp := path.Child("flux")
		if f.SourceName == "" {
			errs = append(errs, field.Required(fp.Child("sourceName"), "the Flux source (e.g. GitRepository) that holds the overlays"))
		}
		errs = append(errs, oneOf(fp.Child("sourceKind"), []string{f.SourceKind}, "GitRepository", "OCIRepository", "Bucket")...)
		errs = append(errs, dnsLabel(fp.Child("namespace"), f.Namespace)...)
		errs = append(errs, dnsLabel(fp.Child("prefix"), f.Prefix)...)
		if !fluxInterval.MatchString(f.Interval) {
			errs = append(errs, field.Invalid(fp.Child("interval"), f.Interval, "must be a duration such as 10m or 1h"))
		}
	}
	if a := g.ArgoCD; a != nil && a.HealthChecks && !a.Enabled {
		errs = append(errs, dnsLabel(path.Child("argocd", "namespace"), a.Namespace)...)
	}
	if a := g.ArgoCD; a != nil && a.Enabled {
		ap := path.Child("argocd")
		if a.RepoURL == "" {
			errs = append(errs, field.Required(ap.Child("repoURL"), "the Git repository that holds the overlays"))
		}
		if u, err := url.Parse(a.Server); err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, field.Invalid(ap.Child("server"), a.Server, "must be an https URL of the destination API server"))
		}
		errs = append(errs, dnsLabel(ap.Child("namespace"), a.Namespace)...)
		errs = append(errs, dnsLabel(ap.Child("prefix"), a.Prefix)...)
	}
	return errs
}
