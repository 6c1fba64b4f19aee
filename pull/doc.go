// Package pull is the consumer's job: discover the VEX attestations of an
// image, verify them, and merge them into one document for scanners. It
// never prints.
package pull
