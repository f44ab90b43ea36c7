package source

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
	sigsyaml "sigs.k8s.io/yaml"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart"
)

// Pulled is a chart fetched from its repository or registry.
type Pulled struct {
	// Source is the repository URL or oci:// reference, without credentials.
	Source string
	// Chart is the chart's name.
	Chart string
	// Version is the pinned version; ChartVersion the chart's own.
	Version      string
	ChartVersion string
	Digest       string
	Data         []byte
	// Prov is the provenance file, when one was asked for.
	Prov []byte
}

// lockKey is how a remote source is named in the cache and the lock file:
// the repository URL (no credentials, no trailing slash) or the oci://
// reference, and the chart's name.
func lockKey(src api.ChartSource) (source, name string) {
	if api.IsOCI(src.Repo) {
		ref := strings.TrimSuffix(src.Repo, "/")
		return redactURL(ref), ref[strings.LastIndex(ref, "/")+1:]
	}
	return redactURL(strings.TrimSuffix(src.Repo, "/")), src.Name
}

// IsRemote tells whether a request's chart comes from a repository or registry.
func (r *Resolver) IsRemote(req Request) bool {
	e := r.effective(req)
	return !e.builtIn && e.src.Path == ""
}

func (r *Resolver) loadRemote(e effective) (*Loaded, error) {
	src, name := lockKey(e.src)
	var locked *LockedChart
	if r.lock != nil {
		lc, ok := r.lock.Find(e.Component, src, name, e.Version)
		switch {
		case ok:
			locked = lc
		case !e.override:
			return nil, fmt.Errorf("not in %s: run `krm-flink charts pull` after changing a component's chart or version",
				filepath.Join(r.opts.ChartsDir, LockFile))
		}
	}
	var data, prov []byte
	if locked != nil {
		d, p, err := r.readVendored(locked)
		if err != nil {
			return nil, err
		}
		data, prov = d, p
		if data == nil {
			if d, p, err := r.cache.Get(locked.Digest); err == nil {
				data, prov = d, p
			} else if !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
	} else if digest, ok := r.cache.Lookup(src, name, e.Version); ok {
		if d, p, err := r.cache.Get(digest); err == nil {
			data, prov = d, p
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	if data == nil || (e.src.Verify && prov == nil) {
		if !r.opts.Online {
			return nil, fmt.Errorf("%w: %s", ErrOffline, offlineHint)
		}
		p, err := r.fetch(e)
		if err != nil {
			return nil, err
		}
		if locked != nil && p.Digest != locked.Digest {
			return nil, fmt.Errorf("%w: the source now serves %s, %s pins %s", ErrDigestMismatch, p.Digest,
				filepath.Join(r.opts.ChartsDir, LockFile), locked.Digest)
		}
		if _, err := r.cache.Put(src, name, e.Version, p.Data, p.Prov); err != nil {
			return nil, fmt.Errorf("caching the chart: %w", err)
		}
		data, prov = p.Data, p.Prov
	}
	digest := Digest(data)
	if e.src.Digest != "" && digest != e.src.Digest {
		return nil, fmt.Errorf("%w: the chart is %s, the platform pins %s", ErrDigestMismatch, digest, e.src.Digest)
	}
	c, err := chart.LoadArchive(data)
	if err != nil {
		return nil, err
	}
	if e.src.Verify {
		if err := verifyProvenanceData(archiveName(c.Metadata.Name, c.Metadata.Version), data, prov, e.src.Keyring); err != nil {
			return nil, err
		}
	}
	return &Loaded{Chart: c, Source: describe(e), Digest: digest}, nil
}

// readVendored reads a locked chart from the vendored folder, checked
// against the lock; nil data when the file is not there.
func (r *Resolver) readVendored(lc *LockedChart) (data, prov []byte, err error) {
	p := filepath.Join(r.opts.ChartsDir, filepath.FromSlash(lc.File))
	data, err = os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if got := Digest(data); got != lc.Digest {
		return nil, nil, fmt.Errorf("%w: %s is %s, %s pins %s", ErrDigestMismatch, p, got, LockFile, lc.Digest)
	}
	if lc.Prov != "" {
		prov, err = os.ReadFile(filepath.Join(r.opts.ChartsDir, filepath.FromSlash(lc.Prov)))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, nil, err
		}
	}
	return data, prov, nil
}

// Pull fetches the chart of a remote request from the network, whatever
// is cached, and caches it. It is what `krm-flink charts pull` runs.
func (r *Resolver) Pull(req Request) (*Pulled, error) {
	e := r.effective(req)
	if e.builtIn || e.src.Path != "" {
		return nil, &Error{Component: req.Component, Source: describe(e), Version: e.Version, Err: errors.New("not a repository or registry chart")}
	}
	p, err := r.fetch(e)
	if err == nil && e.src.Digest != "" && p.Digest != e.src.Digest {
		err = fmt.Errorf("%w: the chart is %s, the platform pins %s", ErrDigestMismatch, p.Digest, e.src.Digest)
	}
	if err == nil && e.src.Verify {
		err = verifyProvenanceData(archiveName(p.Chart, p.ChartVersion), p.Data, p.Prov, e.src.Keyring)
	}
	if err == nil {
		_, err = r.cache.Put(p.Source, p.Chart, e.Version, p.Data, p.Prov)
	}
	if err != nil {
		return nil, &Error{Component: req.Component, Source: describe(e), Version: e.Version, Err: err}
	}
	return p, nil
}

// fetch pulls a chart (and, when verifying, its provenance) over the network.
func (r *Resolver) fetch(e effective) (*Pulled, error) {
	var p *Pulled
	var err error
	if api.IsOCI(e.src.Repo) {
		p, err = r.fetchOCI(e)
	} else {
		p, err = r.fetchHTTP(e)
	}
	if err != nil {
		return nil, err
	}
	p.Digest = Digest(p.Data)
	p.Version = e.Version
	c, err := chart.LoadArchive(p.Data)
	if err != nil {
		return nil, err
	}
	p.ChartVersion = c.Metadata.Version
	if c.Metadata.Name != p.Chart {
		return nil, fmt.Errorf("the source serves chart %q, not %q", c.Metadata.Name, p.Chart)
	}
	return p, nil
}

// fetchHTTP reads the repository's index.yaml, picks the version and
// downloads the chart, with the credentials of Helm's repositories.yaml.
func (r *Resolver) fetchHTTP(e effective) (*Pulled, error) {
	repoURL, user, pass := splitUserinfo(strings.TrimSuffix(e.src.Repo, "/"))
	opts := []getter.Option{getter.WithURL(repoURL), getter.WithTimeout(httpTimeout)}
	entry, err := repositoryEntry(r.opts.RepositoryConfig, repoURL)
	if err != nil {
		return nil, err
	}
	secrets := []string{pass}
	if entry != nil {
		if user == "" {
			user, pass = entry.Username, entry.Password
			secrets = append(secrets, entry.Password)
		}
		opts = append(opts,
			getter.WithPassCredentialsAll(entry.PassCredentialsAll),
			getter.WithTLSClientConfig(entry.CertFile, entry.KeyFile, entry.CAFile),
			getter.WithInsecureSkipVerifyTLS(entry.InsecureSkipTLSverify))
	}
	if user != "" || pass != "" {
		opts = append(opts, getter.WithBasicAuth(user, pass))
	}
	g, err := getter.NewHTTPGetter(opts...)
	if err != nil {
		return nil, err
	}
	p := &Pulled{Source: redactURL(repoURL), Chart: e.src.Name}
	var chartURL, indexDigest string
	if strings.HasSuffix(repoURL, ".tgz") {
		// A direct chart URL: no index to consult.
		chartURL = repoURL
		p.Chart = e.Chart
	} else {
		buf, err := g.Get(repoURL + "/index.yaml")
		if err != nil {
			return nil, redact(fmt.Errorf("reading the repository index: %w", err), secrets...)
		}
		var idx repo.IndexFile
		if err := sigsyaml.Unmarshal(buf.Bytes(), &idx); err != nil {
			return nil, fmt.Errorf("reading the repository index: %w", err)
		}
		if idx.APIVersion == "" {
			return nil, fmt.Errorf("reading the repository index: %w", repo.ErrNoAPIVersion)
		}
		for name, versions := range idx.Entries {
			kept := versions[:0]
			for _, v := range versions {
				if v != nil && v.Metadata != nil {
					kept = append(kept, v)
				}
			}
			idx.Entries[name] = kept
		}
		idx.SortEntries()
		cv, err := idx.Get(e.src.Name, e.Version)
		if err != nil {
			return nil, fmt.Errorf("the repository index has no such chart version: %w", err)
		}
		if len(cv.URLs) == 0 {
			return nil, fmt.Errorf("the repository index lists no URL for %s %s", cv.Name, cv.Version)
		}
		chartURL, err = repo.ResolveReferenceURL(repoURL, cv.URLs[0])
		if err != nil {
			return nil, err
		}
		indexDigest = cv.Digest
	}
	buf, err := g.Get(chartURL)
	if err != nil {
		return nil, redact(fmt.Errorf("downloading the chart: %w", err), secrets...)
	}
	p.Data = buf.Bytes()
	if got := strings.TrimPrefix(Digest(p.Data), "sha256:"); indexDigest != "" && got != indexDigest {
		return nil, fmt.Errorf("%w: %s is sha256:%s, the repository index says sha256:%s", ErrDigestMismatch, redactURL(chartURL), got, indexDigest)
	}
	if e.src.Verify {
		buf, err := g.Get(chartURL + ".prov")
		if err != nil {
			return nil, redact(fmt.Errorf("downloading the provenance file: %w", err), secrets...)
		}
		p.Prov = buf.Bytes()
	}
	return p, nil
}

// fetchOCI pulls a chart from an OCI registry with Helm's registry client
// and the credentials of Helm's registry config (or KRM_FLINK_REGISTRY_*).
func (r *Resolver) fetchOCI(e effective) (*Pulled, error) {
	ref := strings.TrimSuffix(strings.TrimPrefix(e.src.Repo, "oci://"), "/")
	opts := []registry.ClientOption{registry.ClientOptCredentialsFile(r.opts.RegistryConfig), registry.ClientOptEnableCache(true)}
	user, pass := os.Getenv(RegistryUsernameEnv), os.Getenv(RegistryPasswordEnv)
	if user != "" && pass != "" {
		opts = append(opts, registry.ClientOptBasicAuth(user, pass))
	}
	if e.src.PlainHTTP {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	client, err := registry.NewClient(opts...)
	if err != nil {
		return nil, redact(fmt.Errorf("registry client: %w", err), pass)
	}
	tag, err := ociTag(client, ref, e.Version)
	if err != nil {
		return nil, redact(err, pass)
	}
	res, err := client.Pull(ref+":"+tag,
		registry.PullOptWithChart(true),
		registry.PullOptWithProv(e.src.Verify),
		registry.PullOptIgnoreMissingProv(!e.src.Verify))
	if err != nil {
		return nil, redact(fmt.Errorf("pulling %s:%s: %w", ref, tag, err), pass)
	}
	p := &Pulled{Source: redactURL(e.src.Repo), Chart: ref[strings.LastIndex(ref, "/")+1:], Data: res.Chart.Data}
	if res.Prov != nil && len(res.Prov.Data) > 0 {
		p.Prov = res.Prov.Data
	}
	return p, nil
}

// ociTag picks the tag of a version: the version itself (with "+" spelled
// "_", as Helm pushes it) when the registry has it, else the same version
// with or without a leading "v" (Karpenter tagged v0.34.0 before 0.35), else,
// for a range, the newest semver tag it allows.
func ociTag(client *registry.Client, ref, version string) (string, error) {
	if _, err := semver.NewVersion(version); err == nil {
		want := strings.ReplaceAll(version, "+", "_")
		alt := "v" + want
		if strings.HasPrefix(want, "v") {
			alt = strings.TrimPrefix(want, "v")
		}
		var firstErr error
		for _, tag := range []string{want, alt} {
			_, err := client.Resolve(ref + ":" + tag)
			if err == nil {
				return tag, nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		return "", fmt.Errorf("%s has no tag %s: %w", ref, version, firstErr)
	}
	tags, err := client.Tags(ref)
	if err != nil {
		return "", fmt.Errorf("listing the tags of %s: %w", ref, err)
	}
	t, err := registry.GetTagMatchingVersionOrConstraint(tags, version)
	if err != nil {
		return "", fmt.Errorf("%s: %w", ref, err)
	}
	return strings.ReplaceAll(t, "+", "_"), nil
}

// archiveName is the file name Helm gives a packaged chart.
func archiveName(name, version string) string { return name + "-" + version + ".tgz" }

// splitUserinfo removes user:password@ from a URL and returns them apart,
// so credentials never travel inside a URL that an error message repeats.
func splitUserinfo(raw string) (clean, user, pass string) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw, "", ""
	}
	user = u.User.Username()
	pass, _ = u.User.Password()
	u.User = nil
	return u.String(), user, pass
}

// redactURL drops credentials from a URL for messages, the lock and the cache.
func redactURL(raw string) string {
	clean, _, _ := splitUserinfo(raw)
	return clean
}

// redact replaces secrets in an error's text.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "***")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is keeps errors.Is working through redaction without exposing the text.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
