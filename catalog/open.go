package catalog

import (
	"io"
	"os"
)

// Open returns the embedded catalog overlaid with the catalog YAML file at
// path (Merge) and the published "id,path" CSV table at published
// (AddPublished); either may be "".
func Open(path, published string) (*Catalog, error) {
	c := Default()
	if err := mergeFile(path, c.Merge); err != nil {
		return nil, err
	}
	if err := mergeFile(published, c.AddPublished); err != nil {
		return nil, err
	}
	return c, nil
}

func mergeFile(path string, merge func(io.Reader) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return merge(f)
}
