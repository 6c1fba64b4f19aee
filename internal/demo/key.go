package demo

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

// Names of the key pair files, as `cosign generate-key-pair` names them.
const (
	KeyFile       = "cosign.key"
	PublicKeyFile = "cosign.pub"
)

// WriteKeyPair makes an ECDSA P-256 key and writes it to dir as cosign
// does: cosign.key, the PKCS #8 key encrypted with password (scrypt and
// NaCl secretbox, PEM "ENCRYPTED SIGSTORE PRIVATE KEY"), and cosign.pub
// (PEM "PUBLIC KEY"). It returns both paths.
func WriteKeyPair(dir string, password []byte) (keyPath, pubPath string, err error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("generating a key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", "", fmt.Errorf("encoding the private key: %w", err)
	}
	box, err := encrypted.Encrypt(der, password)
	if err != nil {
		return "", "", fmt.Errorf("encrypting the private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("encoding the public key: %w", err)
	}
	keyPath, pubPath = filepath.Join(dir, KeyFile), filepath.Join(dir, PublicKeyFile)
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: box}), 0o600); err != nil {
		return "", "", fmt.Errorf("writing %s: %w", keyPath, err)
	}
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return "", "", fmt.Errorf("writing %s: %w", pubPath, err)
	}
	return keyPath, pubPath, nil
}
