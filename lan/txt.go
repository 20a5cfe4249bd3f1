package lan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/capture-sync/capture/schema"
)

// The TXT record of a desktop's DNS-SD service: key=value strings
// (RFC 6763, section 6).
const (
	txtNode     = "node"     // the node id
	txtName     = "name"     // the name people see
	txtProfile  = "profile"  // the database's profile
	txtProtocol = "protocol" // Protocol
)

// Bounds on what a TXT record may hold.
const (
	// MaxNameLen bounds an advertised name, in bytes of UTF-8.
	MaxNameLen = 200
	// maxNodeIDLen bounds a node id, which also names the DNS-SD
	// instance (a DNS label of at most 63 bytes).
	maxNodeIDLen = 48
	// maxTXTStrings bounds the strings of one TXT record; more and the
	// record is refused.
	maxTXTStrings = 32
	// maxTXTString is the longest string a TXT record can hold.
	maxTXTString = 255
)

// errTXT: a TXT record that is not a desktop's of this protocol.
var errTXT = errors.New("lan: not a desktop's TXT record")

// txtInfo is what a desktop's TXT record says.
type txtInfo struct {
	NodeID   string
	Name     string
	Profile  schema.Profile
	Protocol int
}

// encodeTXT returns the TXT record of info, its strings in the escaped
// presentation form that github.com/miekg/dns packs.
func encodeTXT(info txtInfo) []string {
	esc := func(s string) string { return strings.ReplaceAll(s, `\`, `\\`) }
	return []string{
		txtNode + "=" + esc(info.NodeID),
		txtName + "=" + esc(info.Name),
		txtProfile + "=" + esc(string(info.Profile)),
		txtProtocol + "=" + strconv.Itoa(info.Protocol),
	}
}

// parseTXT reads a desktop's TXT record, received from anyone on the
// network: strings in the escaped presentation form of
// github.com/miekg/dns. Keys are case-insensitive and the first of a key
// counts (RFC 6763, section 6.4); unknown keys and strings without a key
// are ignored. It fails, wrapping errTXT, unless the node id, the profile
// and the protocol are there and well-formed, the protocol is this
// package's, and the name, if any, is UTF-8 without control characters.
func parseTXT(fields []string) (txtInfo, error) {
	if len(fields) > maxTXTStrings {
		return txtInfo{}, fmt.Errorf("%w: %d strings", errTXT, len(fields))
	}
	seen := map[string]string{}
	for _, f := range fields {
		raw, ok := unescapeTXT(f)
		if !ok {
			return txtInfo{}, fmt.Errorf("%w: a malformed string", errTXT)
		}
		k, v, ok := strings.Cut(raw, "=")
		if !ok || k == "" {
			continue
		}
		k = strings.ToLower(k)
		if _, dup := seen[k]; !dup {
			seen[k] = v
		}
	}
	var info txtInfo
	var err error
	proto, ok := seen[txtProtocol]
	if !ok || len(proto) > 4 || strings.Trim(proto, "0123456789") != "" {
		return txtInfo{}, fmt.Errorf("%w: protocol %.8q", errTXT, proto)
	}
	if info.Protocol, err = strconv.Atoi(proto); err != nil || info.Protocol != Protocol {
		return txtInfo{}, fmt.Errorf("%w: protocol %.8q, not %d", errTXT, proto, Protocol)
	}
	if info.NodeID = seen[txtNode]; !validNodeID(info.NodeID) {
		return txtInfo{}, fmt.Errorf("%w: node id %.60q", errTXT, info.NodeID)
	}
	if info.Profile, err = schema.ParseProfile(seen[txtProfile]); err != nil {
		return txtInfo{}, fmt.Errorf("%w: profile %.20q", errTXT, seen[txtProfile])
	}
	if info.Name = seen[txtName]; !validName(info.Name) {
		return txtInfo{}, fmt.Errorf("%w: name %.60q", errTXT, info.Name)
	}
	return info, nil
}

// unescapeTXT undoes the escapes of github.com/miekg/dns's presentation
// form (\DDD for a byte, \X for X), checking that the string fits in a TXT
// record.
func unescapeTXT(s string) (string, bool) {
	if len(s) > 4*maxTXTString {
		return "", false
	}
	if !strings.Contains(s, `\`) {
		return s, len(s) <= maxTXTString
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch {
		case i == len(s):
			return "", false
		case i+2 < len(s) && isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2]):
			n := int(s[i]-'0')*100 + int(s[i+1]-'0')*10 + int(s[i+2]-'0')
			if n > 255 {
				return "", false
			}
			b.WriteByte(byte(n))
			i += 2
		case isDigit(s[i]):
			return "", false // \D or \DD: not an escape miekg/dns writes
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), b.Len() <= maxTXTString
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// validNodeID reports whether id can be a node id: 1 to maxNodeIDLen
// letters, digits, '-' or '_'.
func validNodeID(id string) bool {
	if id == "" || len(id) > maxNodeIDLen {
		return false
	}
	for _, c := range []byte(id) {
		if !isDigit(c) && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// validName reports whether name can be advertised: at most MaxNameLen
// bytes of UTF-8 without control characters.
func validName(name string) bool {
	if len(name) > MaxNameLen || !utf8.ValidString(name) {
		return false
	}
	return strings.IndexFunc(name, unicode.IsControl) < 0
}
