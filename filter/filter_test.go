package filter

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // String() of the result; "" with wantErr
		wantErr  string
	}{
		{"empty", "", "", ""},
		{"one", "feature=location", "feature=location", ""},
		{"aliases", "type=location,coarse_location perm=off uri~report", "data_type=location,coarse_location permissions=off endpoint~report", ""},
		{"negated", "-recipient=wechat", "-recipient=wechat", ""},
		{"quoted", `endpoint="/a b" run!=x`, `endpoint="/a b" run!=x`, ""},
		{"escaped quote", `run="a\"b"`, `run="a\"b"`, ""},
		{"time range", "time>=2024-10-01T09:30 time<2024-10-02", "time>=2024-10-01T09:30 time<2024-10-02", ""},
		{"req_type", "req_type=763", "req_type=763", ""},
		{"unknown key", "colour=red", "", `unknown field "colour"`},
		{"no key", "=x", "", "want a field name"},
		{"no op", "feature", "", "want an operator"},
		{"no value", "feature=", "", "wants a value"},
		{"only commas", "feature=,,", "", "wants a value"},
		{"ordered string", "feature<a", "", "takes = != ~"},
		{"time equality", "time=2024-10-01", "", "time takes"},
		{"bad time", "time>yesterday", "", "bad time"},
		{"bad req_type", "req_type=abc", "", "req_type wants a number"},
		{"unterminated", `run="abc`, "", "unterminated"},
		{"too long", "run=" + strings.Repeat("a", maxExprLen), "", "longer than"},
		{"too many terms", strings.Repeat("run=a ", maxTerms+1), "", "more than"},
		{"not utf8", "run=\xff", "", "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q): got %v, want error containing %q", tt.in, err, tt.wantErr)
				}
				if e != nil {
					t.Errorf("Parse(%q) returned an expression with its error", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			back, err := Parse(e.String())
			if err != nil || back.String() != e.String() {
				t.Errorf("round trip of %q: %v %q", e.String(), err, back)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	r := &Record{Run: "startup_1", Feature: "location", Endpoint: "/cgi-bin/micromsg-bin/getlocation",
		Recipient: "wechat", Permissions: "on", ReqType: 763,
		Time:      time.Date(2024, 10, 1, 9, 30, 5, 0, time.UTC),
		DataTypes: []string{"location", "device_id"}, AppIDs: []string{"wx1234"}}
	tests := []struct {
		expr string
		want bool
	}{
		{"", true},
		{"feature=location", true},
		{"feature=LOCATION", true},
		{"feature=login", false},
		{"feature=login,location", true},
		{"feature!=login", true},
		{"feature!=login,location", false},
		{"-feature=location", false},
		{"endpoint~GETLOC", true},
		{"endpoint~report", false},
		{"data_type=device_id", true},
		{"data_type=account_id", false},
		{"data_type!=account_id", true},
		{"data_type!=device_id", false},
		{"type~loc", true},
		{"appid=wx1234", true},
		{"appid=wx9", false},
		{"recipient=wechat perm=on", true},
		{"recipient=wechat perm=off", false},
		{"req_type=763", true},
		{"req_type>763", false},
		{"req_type>=763", true},
		{"req_type!=1,763", false},
		{"req_type!=1,2", true},
		{"time>=2024-10-01T09:30 time<2024-10-01T09:31", true},
		{"time>2024-10-01T09:31", false},
		{"time<2024-10-01", false},
		{"run~startup -data_type=account_id", true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		if got := e.Match(r); got != tt.want {
			t.Errorf("%q: got %v, want %v", tt.expr, got, tt.want)
		}
	}
	// A record without a time never satisfies a time bound.
	e, _ := Parse("time>2000-01-01")
	if e.Match(&Record{}) {
		t.Error("time bound matched a record without a time")
	}
	var nilExpr *Expr
	if !nilExpr.Match(r) {
		t.Error("nil expression must match")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "feature=location", `run="a b" -type=x,y time>=2024-10-01`, "req_type<=5", `x="`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if e != nil {
				t.Fatal("expression returned with an error")
			}
			return
		}
		// What String prints parses back to the same expression.
		back, err := Parse(e.String())
		if err != nil {
			t.Fatalf("String() %q does not parse: %v", e.String(), err)
		}
		if back.String() != e.String() {
			t.Fatalf("round trip: %q → %q", e.String(), back.String())
		}
		e.Match(&Record{DataTypes: []string{"a"}})
	})
}
