package schema

import (
	"fmt"
	"regexp"
	"strings"
)

// splitStatements splits a migration into its statements at every semicolon
// that is outside a string, a quoted identifier and a comment. Each statement
// is returned without its semicolon, trimmed of surrounding white space and
// of the comments that lead it, exactly as SQLite will store it. Migrations
// hold no CREATE TRIGGER (whose body has semicolons of its own): one is
// refused.
func splitStatements(sql string) ([]string, error) {
	var stmts []string
	start := 0
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; c {
		case '\'', '"', '`':
			j := strings.IndexByte(sql[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated %c quote at byte %d", c, i)
			}
			i += j + 1
		case '[':
			j := strings.IndexByte(sql[i+1:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unterminated [ quote at byte %d", i)
			}
			i += j + 1
		case '-':
			if strings.HasPrefix(sql[i:], "--") {
				j := strings.IndexByte(sql[i:], '\n')
				if j < 0 {
					j = len(sql) - i
				}
				i += j
			}
		case '/':
			if strings.HasPrefix(sql[i:], "/*") {
				j := strings.Index(sql[i+2:], "*/")
				if j < 0 {
					return nil, fmt.Errorf("unterminated comment at byte %d", i)
				}
				i += j + 3
			}
		case ';':
			if s := trimStatement(sql[start:i]); s != "" {
				stmts = append(stmts, s)
			}
			start = i + 1
		}
	}
	if s := trimStatement(sql[start:]); s != "" {
		return nil, fmt.Errorf("statement without a closing semicolon: %.40q", s)
	}
	for _, s := range stmts {
		if createTrigger.MatchString(s) {
			return nil, fmt.Errorf("CREATE TRIGGER is not allowed in a migration: %.40q", s)
		}
	}
	return stmts, nil
}

// trimStatement drops white space and the line comments that lead a
// statement.
func trimStatement(s string) string {
	for {
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, "--") {
			return s
		}
		j := strings.IndexByte(s, '\n')
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
}

var (
	createTrigger = regexp.MustCompile(`(?i)^CREATE\s+(TEMP\w*\s+)?TRIGGER\b`)
	// Each pattern's last group is the name of the table the statement
	// creates, alters, indexes or drops (or of the view it creates).
	tablePatterns = []*regexp.Regexp{
		regexp.MustCompile(`(?is)^CREATE\s+(?:TEMP\w*\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?` + ident),
		regexp.MustCompile(`(?is)^CREATE\s+(?:TEMP\w*\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?` + ident),
		regexp.MustCompile(`(?is)^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+` + ident),
		regexp.MustCompile(`(?is)^ALTER\s+TABLE\s+` + ident),
		regexp.MustCompile(`(?is)^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?` + ident),
		regexp.MustCompile(`(?is)^(?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO\s+` + ident),
		regexp.MustCompile(`(?is)^UPDATE\s+(?:OR\s+\w+\s+)?` + ident),
		regexp.MustCompile(`(?is)^DELETE\s+FROM\s+` + ident),
	}
)

const ident = `["\x60\[]?([A-Za-z_][A-Za-z0-9_]*)["\x60\]]?`

// statementTable returns the table a migration statement acts on, or "" for
// a statement that names none (which every profile applies).
func statementTable(stmt string) string {
	for _, re := range tablePatterns {
		if m := re.FindStringSubmatch(stmt); m != nil {
			return strings.ToLower(m[len(m)-1])
		}
	}
	return ""
}
