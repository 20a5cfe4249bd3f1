-- Migration 9: what sync over the local network needs (docs/lan.md).

-- lan_identity: this device's TLS certificate and its private key (DER),
-- made on first use. Its peers pin the certificate when they pair.
CREATE TABLE lan_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cert BLOB NOT NULL,
    key BLOB NOT NULL
);

-- cert_sha256: the SHA-256 of the paired device's TLS certificate, pinned
-- when it paired: a connection from or to it with another certificate is
-- refused. address: where the desktop was last reached (host:port), for a
-- phone's next sync.
ALTER TABLE paired_devices ADD COLUMN cert_sha256 BLOB;
ALTER TABLE paired_devices ADD COLUMN address TEXT;
