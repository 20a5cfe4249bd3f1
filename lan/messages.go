package lan

import "github.com/capture-sync/capture/lan/internal/pairing"

// The pairing messages as they travel, in JSON (byte fields in base64).

type helloJSON struct {
	SID []byte `json:"sid"`
	Y   []byte `json:"y"`
}

type replyJSON struct {
	Session string `json:"session"`
	Y       []byte `json:"y"`
	MAC     []byte `json:"mac"`
}

type identityJSON struct {
	NodeID          string `json:"node_id"`
	Name            string `json:"name"`
	Platform        string `json:"platform"`
	CertFingerprint []byte `json:"cert_sha256"`
	Token           []byte `json:"token"`
}

type finishJSON struct {
	Session  string       `json:"session"`
	MAC      []byte       `json:"mac"`
	Identity identityJSON `json:"identity"`
}

type welcomeJSON struct {
	Identity identityJSON `json:"identity"`
	MAC      []byte       `json:"mac"`
}

func toIdentity(j identityJSON) pairing.Identity {
	return pairing.Identity{NodeID: j.NodeID, Name: j.Name, Platform: j.Platform, CertFingerprint: j.CertFingerprint, Token: j.Token}
}

func fromIdentity(id pairing.Identity) identityJSON {
	return identityJSON{NodeID: id.NodeID, Name: id.Name, Platform: id.Platform, CertFingerprint: id.CertFingerprint, Token: id.Token}
}

// errorJSON is the body of every error response.
type errorJSON struct {
	Error string `json:"error"`
}
