#!/usr/bin/env bash
# Installs the tools krm-flink's tests run, at pinned versions, into .tools/bin.
# Everything is built from Go modules (the only registry CI reaches); a tool
# already there at the pinned version is kept, so a second run is instant.
#
#   hack/install-tools.sh            # every tool
#   hack/install-tools.sh helm       # only the ones named
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
mkdir -p "$bin"

KUSTOMIZE_VERSION=v5.8.2      # newer releases need Go 1.27
KPT_VERSION=v1.0.0-beta.49    # the newest kpt whose module graph resolves from the proxy
HELM_VERSION=v3.22.0          # the helm krm-flink's chart package links

want=("$@")
# wanted tells whether a tool is to be installed: all of them without arguments.
wanted() { [ ${#want[@]} -eq 0 ] || [[ " ${want[*]} " == *" $1 "* ]]; }
have() { [ -x "$bin/$1" ] && [ -f "$bin/.$1-$2" ]; }

if wanted kustomize && ! have kustomize "$KUSTOMIZE_VERSION"; then
  echo "installing kustomize $KUSTOMIZE_VERSION" >&2
  GOBIN="$bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  touch "$bin/.kustomize-$KUSTOMIZE_VERSION"
fi

if wanted kpt && ! have kpt "$KPT_VERSION"; then
  echo "installing kpt $KPT_VERSION (first build takes a few minutes)" >&2
  # kpt's old module path is missing from the proxy's version list, so
  # `go install pkg@version` fails; building from a pinned module works.
  (cd "$root/hack/tools/kpt" &&
    GONOSUMDB=github.com/GoogleContainerTools/kpt \
      go build -trimpath -ldflags "-X github.com/GoogleContainerTools/kpt/run.version=$KPT_VERSION" \
      -o "$bin/kpt" github.com/GoogleContainerTools/kpt)
  touch "$bin/.kpt-$KPT_VERSION"
fi

# helm: the baseline of hack/bench.sh and of test/bench's TestHelmBaselineMatches.
if wanted helm && ! have helm "$HELM_VERSION"; then
  echo "installing helm $HELM_VERSION" >&2
  (cd "$root/hack/tools/helm" &&
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
      -o "$bin/helm" helm.sh/helm/v3/cmd/helm)
  touch "$bin/.helm-$HELM_VERSION"
fi

echo "$bin"
