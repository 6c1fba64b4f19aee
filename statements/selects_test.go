package statements

import "testing"

func TestProductSelectorSelects(t *testing.T) {
	tests := []struct {
		tags []string
		tag  string
		want bool
	}{
		{nil, "v1.0.0", true},
		{[]string{"v1.*"}, "v1.4.2", true},
		{[]string{"v1.*"}, "v2.0.0", false},
		{[]string{"v2.*", "enterprise-2.19.?"}, "enterprise-2.19.5", true},
		{[]string{"enterprise-2.19.?"}, "enterprise-2.19.10", false},
		{[]string{"[bad"}, "[bad", false},
	}
	for _, tt := range tests {
		sel := ProductSelector{Name: "proxy", Tags: tt.tags}
		if got := sel.Selects(tt.tag); got != tt.want {
			t.Errorf("selector %v, tag %q: got %v, want %v", tt.tags, tt.tag, got, tt.want)
		}
	}
}
