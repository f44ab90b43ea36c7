package source

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"helm.sh/helm/v3/pkg/getter"
)

// ManifestChart is the chart name a static manifest is recorded under in
// the cache and the lock file.
const ManifestChart = "manifest"

// Manifest is a static release manifest (such as cert-manager.yaml).
type Manifest struct {
	Data []byte
	// Source is the path or URL, without credentials.
	Source string
	Digest string
}

// IsRemoteManifest tells whether a manifest location is an http(s) URL.
func IsRemoteManifest(location string) bool {
	return strings.HasPrefix(location, "https://") || strings.HasPrefix(location, "http://")
}

// LoadManifest reads a static manifest: a local path (relative to baseDir)
// or an http(s) URL, which is read from the vendored folder or the cache,
// verified against the lock, and fetched only when online.
func (r *Resolver) LoadManifest(component, location, baseDir string) (*Manifest, error) {
	src := redactURL(location)
	if !IsRemoteManifest(location) {
		src = resolvePath(baseDir, location)
	}
	key := "manifest\x00" + component + "\x00" + src
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.loaded[key]; ok {
		return l.manifest, nil
	}
	m, err := r.loadManifest(component, location, src)
	if err != nil {
		return nil, &Error{Component: component, Source: src, Version: "(static manifest)", Err: err}
	}
	r.loaded[key] = &Loaded{manifest: m}
	return m, nil
}

func (r *Resolver) loadManifest(component, location, src string) (*Manifest, error) {
	if !IsRemoteManifest(location) {
		data, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("cannot read the manifest: %w", unwrapPathError(err))
		}
		return &Manifest{Data: data, Source: src, Digest: Digest(data)}, nil
	}
	var data []byte
	locked, ok := r.lock.Find(component, src, ManifestChart, "")
	switch {
	case ok:
		d, _, err := r.readVendored(locked)
		if err != nil {
			return nil, err
		}
		data = d
		if data == nil {
			if d, _, err := r.cache.Get(locked.Digest); err == nil {
				data = d
			} else if !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
	case r.lock != nil:
		return nil, fmt.Errorf("not in %s: run `krm-flink charts pull`", filepath.Join(r.opts.ChartsDir, LockFile))
	default:
		if digest, ok := r.cache.Lookup(src, ManifestChart, ""); ok {
			if d, _, err := r.cache.Get(digest); err == nil {
				data = d
			} else if !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
	}
	if data == nil {
		if !r.opts.Online {
			return nil, fmt.Errorf("%w: %s", ErrOffline, offlineHint)
		}
		m, err := r.fetchManifest(location)
		if err != nil {
			return nil, err
		}
		if locked != nil && m.Digest != locked.Digest {
			return nil, fmt.Errorf("%w: the URL now serves %s, %s pins %s", ErrDigestMismatch, m.Digest, LockFile, locked.Digest)
		}
		data = m.Data
	}
	return &Manifest{Data: data, Source: src, Digest: Digest(data)}, nil
}

// PullManifest fetches a static manifest from its URL and caches it.
func (r *Resolver) PullManifest(component, location string) (*Manifest, error) {
	m, err := r.fetchManifest(location)
	if err != nil {
		return nil, &Error{Component: component, Source: redactURL(location), Version: "(static manifest)", Err: err}
	}
	return m, nil
}

func (r *Resolver) fetchManifest(location string) (*Manifest, error) {
	clean, user, pass := splitUserinfo(location)
	opts := []getter.Option{getter.WithURL(clean), getter.WithTimeout(httpTimeout)}
	if user != "" || pass != "" {
		opts = append(opts, getter.WithBasicAuth(user, pass))
	}
	g, err := getter.NewHTTPGetter(opts...)
	if err != nil {
		return nil, err
	}
	buf, err := g.Get(clean)
	if err != nil {
		return nil, redact(fmt.Errorf("downloading the manifest: %w", err), pass)
	}
	m := &Manifest{Data: buf.Bytes(), Source: clean, Digest: Digest(buf.Bytes())}
	if _, err := r.cache.Put(clean, ManifestChart, "", m.Data, nil); err != nil {
		return nil, fmt.Errorf("caching the manifest: %w", err)
	}
	return m, nil
}
