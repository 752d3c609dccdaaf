package parquet

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestParquetDocInStep: doc/parquet.md lists every table of Tables, each
// with exactly the columns of its row type, in order, so the document
// cannot fall behind the files.
func TestParquetDocInStep(t *testing.T) {
	b, err := os.ReadFile("../../doc/parquet.md")
	if err != nil {
		t.Fatal(err)
	}
	rowTypes := map[string]reflect.Type{
		"runs": reflect.TypeFor[RunRow](), "requests": reflect.TypeFor[RequestRow](), "findings": reflect.TypeFor[FindingRow](),
		"gaps": reflect.TypeFor[GapRow](), "strings": reflect.TypeFor[StringRow](),
	}
	heading := regexp.MustCompile("(?m)^## `([a-z]+)`")
	column := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|")
	doc := string(b)
	locs := heading.FindAllStringSubmatchIndex(doc, -1)
	var documented []string
	for i, loc := range locs {
		table := doc[loc[2]:loc[3]]
		end := len(doc)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		documented = append(documented, table)
		rt, ok := rowTypes[table]
		if !ok {
			t.Errorf("doc/parquet.md documents a table %q that is not written", table)
			continue
		}
		var want, got []string
		for j := range rt.NumField() {
			want = append(want, strings.Split(rt.Field(j).Tag.Get("parquet"), ",")[0])
		}
		for _, m := range column.FindAllStringSubmatch(doc[loc[1]:end], -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(want, got) {
			t.Errorf("doc/parquet.md, table %s: columns\n %v\nthe files have\n %v", table, got, want)
		}
	}
	for _, table := range Tables {
		if !slices.Contains(documented, table) {
			t.Errorf("table %s is written but doc/parquet.md does not document it", table)
		}
	}
}
