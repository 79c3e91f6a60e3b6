package sim

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ExperimentDirName is the sample experiment directory's name.
const ExperimentDirName = "2026-04-11-10-30-15-az-power-int-demo-cluster-EXT1a2b3c4d5e6f7"

//go:embed experiment
var experimentFS embed.FS

// WriteExperiment copies the sample experiment directory into parent and returns its path.
// An existing copy is kept (earlier reports in it survive).
func WriteExperiment(parent string) (string, error) {
	dst := filepath.Join(parent, ExperimentDirName)
	err := fs.WalkDir(experimentFS, "experiment/"+ExperimentDirName, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("experiment/"+ExperimentDirName, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if _, err := os.Stat(target); err == nil {
			return nil
		}
		b, err := experimentFS.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("write the sample experiment directory into %s: %w", parent, err)
	}
	return dst, nil
}
