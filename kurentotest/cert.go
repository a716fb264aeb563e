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

// dtlsCert is the DTLS identity of this server process: a real
// self-signed certificate, made on first use and kept until a
// [Server.Restart] (KMS also uses one per process). With media enabled
// the WebRTC endpoints present it, so the fingerprint in the SDP is true.
type dtlsCert struct {
	key         *ecdsa.PrivateKey
	cert        *x509.Certificate
	fingerprint string
}

// fingerprint returns the sha-256 fingerprint of the DTLS certificate.
func (st *state) fingerprint() string { return st.certificate().fingerprint }

func (st *state) certificate() *dtlsCert {
	if st.cert == nil {
		st.cert = newCert()
	}
	return st.cert
}

func newCert() *dtlsCert {
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
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(fmt.Sprintf("kurentotest: parsing the certificate: %v", err))
	}
	return &dtlsCert{key: key, cert: cert, fingerprint: formatFingerprint(sha256.Sum256(der))}
}

func formatFingerprint(sum [32]byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
