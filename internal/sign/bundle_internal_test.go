package sign

import (
	"bytes"
	"encoding/json"
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"google.golang.org/protobuf/encoding/protojson"
)

// TestMarshalKeyBundle pins the fast encoder of key-signed bundles to what
// protojson writes (compacted), byte for byte.
func TestMarshalKeyBundle(t *testing.T) {
	bundle := func(keyID string, payload []byte) *protobundle.Bundle {
		return &protobundle.Bundle{
			MediaType: BundleMediaType,
			VerificationMaterial: &protobundle.VerificationMaterial{
				Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: "q+/0AbC="}},
			},
			Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
				Payload: payload, PayloadType: PayloadType,
				Signatures: []*protodsse.Signature{{Sig: []byte{0xfb, 0xff, 0x00, 0x3e}, Keyid: keyID}},
			}},
		}
	}
	tests := []struct {
		name string
		b    *protobundle.Bundle
	}{
		{"hint", bundle("", []byte(`{"a":"<&>"}`))},
		{"keyid", bundle("k1", []byte("\x00\xff binary"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := marshalKeyBundle(tt.b)
			if !ok {
				t.Fatal("marshalKeyBundle refused a key bundle")
			}
			raw, err := protojson.Marshal(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := json.Compact(&want, raw); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("marshalKeyBundle:\ngot  %s\nwant %s", got, want.Bytes())
			}
		})
	}
	withCert := bundle("", nil)
	withCert.VerificationMaterial.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: []byte{1}}}
	if _, ok := marshalKeyBundle(withCert); ok {
		t.Error("marshalKeyBundle accepted a certificate bundle")
	}
}
