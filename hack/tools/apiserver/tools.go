//go:build tools

// Package apiserver pins the k8s.io/kubernetes module so that
// hack/install-apiserver.sh can build a real kube-apiserver and kubectl from
// module sources (no prebuilt binaries are downloaded). It is a separate Go
// module so the root module does not inherit the kubernetes dependency graph.
package apiserver

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
