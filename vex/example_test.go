package vex_test

import (
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/vexil-dev/vexil/vex"
)

func ExampleBuild() {
	rel := vex.Release{
		Product:    "proxy",
		Repository: "registry.example.com/acme/proxy",
		Tag:        "enterprise-2.19.3",
		Index:      digest.FromString("index"),
		Platforms:  []digest.Digest{digest.FromString("linux/amd64")},
	}
	doc, err := vex.Build(vex.BuildOptions{
		IDPrefix: "https://vex.example.com",
		Author:   "Example Security <security@example.com>",
	}, rel, []vex.Statement{{
		Vulnerability:   "CVE-2023-44487",
		Aliases:         []string{"GHSA-qppj-fm5r-hxr3"},
		Status:          vex.StatusNotAffected,
		Justification:   "vulnerable_code_not_in_execute_path",
		ImpactStatement: "The proxy never enables HTTP/2 server push.",
		Subcomponents:   []string{"pkg:golang/golang.org/x/net@v0.17.0"},
		Timestamp:       time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC),
		Source:          "statements/proxy/CVE-2023-44487.yaml",
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := vex.Canonical(doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	content, _ := vex.ContentDigest(doc)
	fmt.Printf("%s\ncontent digest %s\n", out, content)
	// Output:
	// {
	//   "@context": "https://openvex.dev/ns/v0.2.0",
	//   "@id": "https://vex.example.com/proxy/1bc04b5291c26a46d918139138b992d2de976d6851d0893b0476b85bfbdfc6e6/bed03aa9127e38a1c90565a779b954fd655f0af5127f1b81fbb9cca39721ed8e",
	//   "author": "Example Security <security@example.com>",
	//   "statements": [
	//     {
	//       "impact_statement": "The proxy never enables HTTP/2 server push.",
	//       "justification": "vulnerable_code_not_in_execute_path",
	//       "products": [
	//         {
	//           "@id": "pkg:oci/proxy@sha256:1bc04b5291c26a46d918139138b992d2de976d6851d0893b0476b85bfbdfc6e6",
	//           "hashes": {
	//             "sha-256": "1bc04b5291c26a46d918139138b992d2de976d6851d0893b0476b85bfbdfc6e6"
	//           },
	//           "subcomponents": [
	//             {
	//               "@id": "pkg:golang/golang.org/x/net@v0.17.0"
	//             }
	//           ]
	//         },
	//         {
	//           "@id": "pkg:oci/proxy@sha256:baf0239e48ff4c47ebac3ba02b5cf1506b69cd5a0c0d0c825a53ba65976fb942",
	//           "hashes": {
	//             "sha-256": "baf0239e48ff4c47ebac3ba02b5cf1506b69cd5a0c0d0c825a53ba65976fb942"
	//           },
	//           "subcomponents": [
	//             {
	//               "@id": "pkg:golang/golang.org/x/net@v0.17.0"
	//             }
	//           ]
	//         }
	//       ],
	//       "status": "not_affected",
	//       "timestamp": "2026-03-02T09:15:00Z",
	//       "vulnerability": {
	//         "aliases": [
	//           "GHSA-qppj-fm5r-hxr3"
	//         ],
	//         "name": "CVE-2023-44487"
	//       }
	//     }
	//   ],
	//   "timestamp": "2026-03-02T09:15:00Z",
	//   "version": 1
	// }
	//
	// content digest sha256:bed03aa9127e38a1c90565a779b954fd655f0af5127f1b81fbb9cca39721ed8e
}
