package helmcomponent

import "github.com/krm-flink/krm-flink/internal/manifest"

// clusterScopedKinds are the well-known cluster-scoped kinds, by group and
// kind ("" is the core group). Custom kinds are looked up in the CRDs a
// component renders; anything else is namespaced, as kustomize assumes.
var clusterScopedKinds = map[string]bool{
	"/Namespace":                            true,
	"/Node":                                 true,
	"/PersistentVolume":                     true,
	"/ComponentStatus":                      true,
	"rbac.authorization.k8s.io/ClusterRole": true,
	"rbac.authorization.k8s.io/ClusterRoleBinding":                  true,
	"apiextensions.k8s.io/CustomResourceDefinition":                 true,
	"apiregistration.k8s.io/APIService":                             true,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration":     true,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration":   true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy":        true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicy":          true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding":   true,
	"storage.k8s.io/StorageClass":                                   true,
	"storage.k8s.io/CSIDriver":                                      true,
	"storage.k8s.io/CSINode":                                        true,
	"storage.k8s.io/VolumeAttachment":                               true,
	"storage.k8s.io/VolumeAttributesClass":                          true,
	"scheduling.k8s.io/PriorityClass":                               true,
	"node.k8s.io/RuntimeClass":                                      true,
	"networking.k8s.io/IngressClass":                                true,
	"networking.k8s.io/IPAddress":                                   true,
	"networking.k8s.io/ServiceCIDR":                                 true,
	"policy/PodSecurityPolicy":                                      true,
	"certificates.k8s.io/CertificateSigningRequest":                 true,
	"certificates.k8s.io/ClusterTrustBundle":                        true,
	"flowcontrol.apiserver.k8s.io/FlowSchema":                       true,
	"flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration":       true,
	"resource.k8s.io/DeviceClass":                                   true,
	"cert-manager.io/ClusterIssuer":                                 true,
	"karpenter.sh/NodePool":                                         true,
	"karpenter.sh/NodeClaim":                                        true,
	"karpenter.sh/Provisioner":                                      true,
	"karpenter.sh/Machine":                                          true,
	"karpenter.k8s.aws/EC2NodeClass":                                true,
	"karpenter.k8s.aws/AWSNodeTemplate":                             true,
	"monitoring.coreos.com/ClusterPodMonitor":                       true,
}

// clusterScoped tells whether an object is cluster-scoped: by the CRDs the
// component renders (group/Kind -> cluster), else by the well-known list.
func clusterScoped(o *manifest.Object, crds map[string]bool) bool {
	key := o.GroupVersionKind().Group + "/" + o.GetKind()
	if cluster, ok := crds[key]; ok {
		return cluster
	}
	return clusterScopedKinds[key]
}
