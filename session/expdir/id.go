package expdir

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// MaxTemplateIDLen bounds a template ID: real ones are "EXT" plus about 15 characters.
const MaxTemplateIDLen = 64

// NameFormat is the expected experiment directory name, for error messages.
const NameFormat = "{yyyy-mm-dd-HH-MM-SS}-{scenario}-{target}[-{context}]-{TEMPLATE_ID}, e.g. 2026-04-11-10-30-15-az-power-int-my-cluster-EXT1a2b3c4d5e6f7"

// ErrNoTemplateID is returned (wrapped) when a directory name does not end with a template ID.
var ErrNoTemplateID = errors.New("directory name must end with the FIS experiment template ID")

// ErrInvalidTemplateID is returned (wrapped) for a malformed template ID argument.
var ErrInvalidTemplateID = errors.New("invalid FIS experiment template ID")

// ValidTemplateID reports whether id looks like an FIS experiment template ID:
// "EXT" followed by one or more ASCII letters or digits (^EXT[A-Za-z0-9]+$).
func ValidTemplateID(id string) bool {
	if len(id) < 4 || len(id) > MaxTemplateIDLen || !strings.HasPrefix(id, "EXT") {
		return false
	}
	for i := 3; i < len(id); i++ {
		if !isAlnum(id[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// checkTemplateID returns a descriptive error for an invalid template ID argument.
func checkTemplateID(id string) error {
	if ValidTemplateID(id) {
		return nil
	}
	shown := id
	if len(shown) > MaxTemplateIDLen {
		shown = shown[:MaxTemplateIDLen] + "..."
	}
	return fmt.Errorf("%w %q: expected \"EXT\" followed by letters and digits (e.g. EXT1a2b3c4d5e6f7)", ErrInvalidTemplateID, shown)
}

// TemplateIDFromDir returns the template ID at the end of dir's base name: the part after
// the last "-" (or the whole name) when it is a valid template ID.
func TemplateIDFromDir(dir string) (string, error) {
	name := filepath.Base(filepath.Clean(dir))
	id := name
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		id = name[i+1:]
	}
	if ValidTemplateID(id) {
		return id, nil
	}
	return "", fmt.Errorf("%w (%q does not): expected %s", ErrNoTemplateID, name, NameFormat)
}

// matchesTemplateID reports whether a directory name ends with "-"+id or equals id.
func matchesTemplateID(name, id string) bool {
	return name == id || strings.HasSuffix(name, "-"+id)
}
