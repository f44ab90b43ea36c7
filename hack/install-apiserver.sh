#!/usr/bin/env bash
# Installs the assets the API-server tests (test/apiserver) need, without
# downloading any prebuilt binary:
#   - etcd from Debian's etcd-server package (apt-get), when no etcd is on PATH;
#   - kube-apiserver and kubectl built from the k8s.io/kubernetes module pinned
#     in hack/tools/apiserver/go.mod.
# Output: .tools/apiserver/<version>/{etcd,kube-apiserver,kubectl}. The folder
# also works as KUBEBUILDER_ASSETS for controller-runtime's envtest.
# Idempotent: a second run only checks that the binaries exist.
# The last line printed is the assets directory.
#
# Env: KRM_FLINK_TOOLS_DIR  overrides the .tools/apiserver parent folder.
#      FORCE=1              rebuilds even when the binaries exist.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod_dir="${repo_root}/hack/tools/apiserver"

# The pinned version is read from the tools module so there is one source of truth.
version="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3} $1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2}' "${mod_dir}/go.mod" | head -n1)"
if [[ ! "${version}" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
  echo "install-apiserver: cannot read the k8s.io/kubernetes version from ${mod_dir}/go.mod (got '${version}')" >&2
  exit 1
fi
major="${BASH_REMATCH[1]}"
minor="${BASH_REMATCH[2]}"

assets="${KRM_FLINK_TOOLS_DIR:-${repo_root}/.tools/apiserver}/${version}"
mkdir -p "${assets}"

log() { echo "install-apiserver: $*" >&2; }

# --- etcd -------------------------------------------------------------------
find_etcd() {
  if command -v etcd >/dev/null 2>&1; then
    command -v etcd
    return 0
  fi
  # Debian installs it in /usr/bin; check explicitly in case PATH is minimal.
  if [[ -x /usr/bin/etcd ]]; then
    echo /usr/bin/etcd
    return 0
  fi
  return 1
}

if ! etcd_bin="$(find_etcd)"; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "no etcd binary found and no apt-get to install Debian's etcd-server"
    exit 1
  fi
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when apt does not know the package yet.
  if ! apt-cache show etcd-server >/dev/null 2>&1; then
    log "apt-get update"
    ${sudo} apt-get update -qq >&2
  fi
  log "installing etcd-server with apt-get"
  # --no-install-recommends: we only need the binary, not a running service.
  if ! ${sudo} apt-get install -y -qq --no-install-recommends etcd-server >&2; then
    # Stale package lists (a version gone from the mirror): refresh once, retry.
    log "apt-get install failed; apt-get update and retry"
    ${sudo} apt-get update -qq >&2
    ${sudo} apt-get install -y -qq --no-install-recommends etcd-server >&2
  fi
  etcd_bin="$(find_etcd)" || { log "etcd-server installed but no etcd binary found"; exit 1; }
fi
ln -sfn "${etcd_bin}" "${assets}/etcd"

# --- kube-apiserver and kubectl -----------------------------------------------
if [[ "${FORCE:-0}" != 1 && -x "${assets}/kube-apiserver" && -x "${assets}/kubectl" ]]; then
  log "kube-apiserver and kubectl ${version} already built"
else
  if ! command -v go >/dev/null 2>&1; then
    log "go is required to build kube-apiserver ${version}"
    exit 1
  fi
  pkg=k8s.io/component-base/version
  ldflags="-s -w"
  ldflags+=" -X ${pkg}.gitVersion=${version}"
  ldflags+=" -X ${pkg}.gitMajor=${major}"
  ldflags+=" -X ${pkg}.gitMinor=${minor}"
  ldflags+=" -X ${pkg}.gitTreeState=clean"
  ldflags+=" -X ${pkg}.buildDate=$(date -u +'%Y-%m-%dT%H:%M:%SZ')"
  # kubectl reads its own copy of the version for `kubectl version`.
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=${version}"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=${major}"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitMinor=${minor}"

  tmp="$(mktemp -d "${assets}/.build.XXXXXX")"
  trap 'rm -rf "${tmp}"' EXIT
  start=$SECONDS
  log "building kube-apiserver and kubectl ${version} (a few minutes when cold)"
  # CGO_ENABLED=0: static binaries, the same as the upstream release builds.
  # -buildvcs=false: the repository may have no commit yet, and it is irrelevant.
  (
    cd "${mod_dir}"
    CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags "${ldflags}" -o "${tmp}/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
  )
  mv -f "${tmp}/kube-apiserver" "${assets}/kube-apiserver"
  mv -f "${tmp}/kubectl" "${assets}/kubectl"
  log "built in $((SECONDS - start))s"
fi

"${assets}/kube-apiserver" --version >&2
echo "${assets}"
