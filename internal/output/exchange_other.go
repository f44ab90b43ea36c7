//go:build !linux

package output

import "os"

// exchange swaps two directories; without renameat2 it takes three renames.
func exchange(a, b string) error { return exchangeByRenames(a, b, os.Rename) }
