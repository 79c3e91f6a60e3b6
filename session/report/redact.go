package report

import (
	"regexp"
)

// Redaction of secrets in log lines quoted by the report: AWS access key IDs,
// bearer tokens, password/secret assignments and passwords in URLs.
var redactions = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b`), "***"},
	{regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+`), "${1}***"},
	{regexp.MustCompile(`(?i)\b(authorization\s*[:=]\s*)(?:(?:basic|bearer)\s+)?[^\s,;"']+`), "${1}***"},
	{regexp.MustCompile(`(?i)\b((?:password|passwd|pwd|secret|secret_key|secretkey|aws_secret_access_key|client_secret|api_key|apikey|token)\s*[=:]\s*"?)[^\s"&,;]+`), "${1}***"},
	{regexp.MustCompile(`(?i)("(?:password|passwd|pwd|secret|client_secret|api_key|token)"\s*:\s*")[^"]*`), "${1}***"},
	{regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@`), "${1}***@"},
}

// redact masks secrets in s.
func redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}
