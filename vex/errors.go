package vex

import "errors"

var (
	// ErrNoStatements is returned by Build for a release no statement
	// targets, and by Merge when no statement is about the image: there is
	// no document to write, and no timestamp to give one.
	ErrNoStatements = errors.New("no statements")
	// ErrInvalidDigest is returned for a digest that is not sha256:<64 hex>.
	ErrInvalidDigest = errors.New("invalid digest")
	// ErrInvalidInput is returned for a release, image, option or statement
	// that cannot be rendered as OpenVEX (empty fields, zero timestamps,
	// status rules broken, unparsable purls).
	ErrInvalidInput = errors.New("invalid input")
	// ErrConflict is returned by Build when two statements about the same
	// vulnerability and subcomponents give different statuses.
	ErrConflict = errors.New("conflicting statements")
	// ErrNotOpenVEX is returned by Parse for data that is not an OpenVEX
	// document.
	ErrNotOpenVEX = errors.New("not an OpenVEX document")
	// ErrUnsupportedVersion is returned by Parse for an OpenVEX document of
	// a version other than v0.2.0.
	ErrUnsupportedVersion = errors.New("unsupported OpenVEX version")
)
