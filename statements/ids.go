package statements

import (
	"fmt"
	"strings"
)

// VulnerabilityIDProblem says what is wrong with a vulnerability id, or
// returns "" for a well-formed one: CVE-YYYY-NNNN (four or more digits),
// GHSA-xxxx-xxxx-xxxx, GO-YYYY-NNNN, or another OSV-style PREFIX-ID such
// as PYSEC-2021-1 or RUSTSEC-2021-0001.
func VulnerabilityIDProblem(id string) string {
	upper := strings.ToUpper(id)
	switch {
	case id == "":
		return "is empty"
	case strings.HasPrefix(upper, "CVE-"):
		if !strings.HasPrefix(id, "CVE-") || !yearAndNumber(id[len("CVE-"):]) {
			return "is not a CVE id of the form CVE-YYYY-NNNN"
		}
	case strings.HasPrefix(upper, "GHSA-"):
		if !strings.HasPrefix(id, "GHSA-") || !ghsaBody(id[len("GHSA-"):]) {
			return "is not a GHSA id of the form GHSA-xxxx-xxxx-xxxx (lowercase, letters from 23456789cfghjmpqrvwx)"
		}
	case strings.HasPrefix(upper, "GO-"):
		if !strings.HasPrefix(id, "GO-") || !yearAndNumber(id[len("GO-"):]) {
			return "is not a Go vulnerability id of the form GO-YYYY-NNNN"
		}
	default:
		if !osvID(id) {
			return "is not a CVE, GHSA, GO or OSV-style id (PREFIX-ID, for example PYSEC-2021-1)"
		}
	}
	return ""
}

// yearAndNumber matches YYYY-NNNN with four or more digits after the year.
func yearAndNumber(s string) bool {
	year, num, ok := strings.Cut(s, "-")
	return ok && len(year) == 4 && digits(year) && len(num) >= 4 && digits(num)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func ghsaBody(s string) bool {
	groups := strings.Split(s, "-")
	if len(groups) != 3 {
		return false
	}
	for _, g := range groups {
		if len(g) != 4 {
			return false
		}
		for i := 0; i < len(g); i++ {
			if !strings.ContainsRune("23456789cfghjmpqrvwx", rune(g[i])) {
				return false
			}
		}
	}
	return true
}

// osvID matches PREFIX-ID: an uppercase prefix of two or more letters or
// digits starting with a letter, a dash, then letters, digits, '.', ':',
// '_' or '-', ending with a letter or digit.
func osvID(s string) bool {
	prefix, rest, ok := strings.Cut(s, "-")
	if !ok || len(prefix) < 2 || rest == "" || prefix[0] < 'A' || prefix[0] > 'Z' {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !alnum(c) && !strings.ContainsRune(".:_-", rune(c)) {
			return false
		}
	}
	return alnum(rest[len(rest)-1])
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func quoteList(list []string) string {
	return fmt.Sprintf("[%s]", strings.Join(list, " "))
}
