package source

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/helmpath"
	"helm.sh/helm/v3/pkg/repo"
)

// Environment variables krm-flink reads for chart credentials, the way Helm
// users already set them up.
const (
	// RepositoryConfigEnv is Helm's own variable for repositories.yaml.
	RepositoryConfigEnv = "HELM_REPOSITORY_CONFIG"
	// RegistryConfigEnv is Helm's own variable for the registry config.json.
	RegistryConfigEnv = "HELM_REGISTRY_CONFIG"
	// RegistryUsernameEnv and RegistryPasswordEnv, both set, log in to every
	// OCI registry (for CI, where writing a registry config is a chore).
	RegistryUsernameEnv = "KRM_FLINK_REGISTRY_USERNAME"
	RegistryPasswordEnv = "KRM_FLINK_REGISTRY_PASSWORD"
)

// httpTimeout bounds one request to a chart repository.
const httpTimeout = 2 * time.Minute

// DefaultRepositoryConfig is $HELM_REPOSITORY_CONFIG, else Helm's
// repositories.yaml in its config folder (~/.config/helm on Linux).
func DefaultRepositoryConfig() string {
	if p := os.Getenv(RepositoryConfigEnv); p != "" {
		return p
	}
	return helmpath.ConfigPath("repositories.yaml")
}

// DefaultRegistryConfig is $HELM_REGISTRY_CONFIG, else Helm's
// registry/config.json in its config folder.
func DefaultRegistryConfig() string {
	if p := os.Getenv(RegistryConfigEnv); p != "" {
		return p
	}
	return helmpath.ConfigPath("registry/config.json")
}

// repositoryEntry finds the entry of Helm's repositories.yaml whose URL is
// repoURL (trailing slashes aside); nil when there is none or no file.
func repositoryEntry(configFile, repoURL string) (*repo.Entry, error) {
	if configFile == "" {
		configFile = DefaultRepositoryConfig()
	}
	f, err := repo.LoadFile(configFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		// repo.LoadFile's message never holds the credentials it read.
		return nil, fmt.Errorf("reading Helm's repository config %s: %w", configFile, err)
	}
	want := strings.TrimSuffix(repoURL, "/")
	for _, e := range f.Repositories {
		if e != nil && strings.TrimSuffix(e.URL, "/") == want {
			return e, nil
		}
	}
	return nil, nil
}
