// Package layering holds no code: its test pins the import rules of
// DESIGN.md and STYLE.md, so that a package that reaches for a risky
// dependency it does not own fails the build's tests, not a review.
package layering
