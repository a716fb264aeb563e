package kurentotest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// fingerprint returns the sha-256 fingerprint of the DTLS certificate of
// this server process: a real self-signed certificate, made on first use
// and kept until a [Server.Restart] (KMS also uses one per process).
func (st *state) fingerprint() string {
	if st.certFingerprint == "" {
		st.certFingerprint = newCertFingerprint()
	}
	return st.certFingerprint
}

func newCertFingerprint() string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("kurentotest: generating a key: %v", err))
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "Kurento"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(fmt.Sprintf("kurentotest: self-signing a certificate: %v", err))
	}
	return formatFingerprint(sha256.Sum256(der))
}

func formatFingerprint(sum [32]byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
