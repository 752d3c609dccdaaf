package catalog

import (
	"strings"
	"testing"
)

func TestAxes(t *testing.T) {
	c := Default()
	// Every shipped entry is valid and found by its type and by its path.
	for _, a := range c.AllAxes() {
		if err := a.check(); err != nil {
			t.Error(err)
		}
		found := false
		for _, b := range c.AxesFor(a.Type, a.Path) {
			found = found || b == a
		}
		if !found {
			t.Errorf("%+v: not returned for its own endpoint", a)
		}
	}
	if got := c.AxesFor(3964, ""); len(got) < 3 {
		t.Errorf("getpoilist by type: %+v", got)
	}
	if got := c.AxesFor(0, "/cgi-bin/micromsg-bin/getpoilist"); len(got) < 3 {
		t.Errorf("getpoilist by path: %+v", got)
	}
	if got := c.AxesFor(0, ""); len(got) != 0 {
		t.Errorf("no endpoint matches nothing: %+v", got)
	}
	// A user file's entry wins: it comes first.
	if err := c.Merge(strings.NewReader(`coordinates: [{type: 3964, at: "2", order: "lat,lon", note: user}]`)); err != nil {
		t.Fatal(err)
	}
	if got := c.AxesFor(3964, ""); got[0].Note != "user" || got[0].Order != OrderLatLon {
		t.Errorf("user entry not first: %+v", got[0])
	}
	for _, bad := range []string{
		`coordinates: [{type: 1, at: "2", order: "x,y"}]`,
		`coordinates: [{at: "2", order: "lat,lon"}]`,
		`coordinates: [{type: 1, order: "lat,lon"}]`,
		`coordinates: [{type: 1, at: "2", order: "lat,lon", log_id: 5}]`,
	} {
		if err := Default().Merge(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
