package statements

// The stable ids of the rules. docs/rules.md documents each one with a bad
// and a good example.
const (
	// Files and syntax.
	RuleSyntax            = "syntax"
	RuleEmptyFile         = "empty-file"
	RuleMultipleDocuments = "multiple-documents"
	RuleBinaryFile        = "binary-file"
	RuleInvalidUTF8       = "invalid-utf8"
	RuleFileTooLarge      = "file-too-large"
	RuleYAMLAlias         = "yaml-alias"
	RuleSymlinkOutside    = "symlink-outside-repo"
	RuleSymlinkDirectory  = "symlink-directory"
	RulePathOutside       = "path-outside-repo"
	RuleTooManyFindings   = "too-many-findings"

	// Structure of a statement file.
	RuleUnknownKey   = "unknown-key"
	RuleDuplicateKey = "duplicate-key"
	RuleType         = "type"
	RuleRequired     = "required"

	// Structure of vexil.yaml.
	RuleConfigSyntax       = "config-syntax"
	RuleConfigUnknownKey   = "config-unknown-key"
	RuleConfigDuplicateKey = "config-duplicate-key"
	RuleConfigType         = "config-type"
	RuleConfigRequired     = "config-required"
	RuleConfigValue        = "config-value"

	// Content of statements.
	RuleStatusValue           = "status-value"
	RuleStatusJustification   = "status-justification"
	RuleStatusActionStatement = "status-action-statement"
	RuleStatusForbiddenField  = "status-forbidden-field"
	RuleVulnerabilityID       = "vulnerability-id"
	RuleAliasID               = "alias-id"
	RulePurlSyntax            = "purl-syntax"
	RuleProductUnknown        = "product-unknown"
	RuleProductUnmapped       = "product-unmapped"
	RuleTagGlobSyntax         = "tag-glob-syntax"
	RuleConflict              = "conflict"
	RuleDuplicateStatement    = "duplicate-statement"

	// Against the releases in the registries (not with --offline).
	RuleTagsMatchNothing      = "tags-match-nothing"
	RuleReleaseWithoutSBOM    = "release-without-sbom"
	RuleSBOMUnsupported       = "sbom-unsupported"
	RuleSBOMUnreadable        = "sbom-unreadable"
	RuleSubcomponentNotInSBOM = "subcomponent-not-in-sbom"

	// Against history (--base, package review).
	RuleStatementDeleted         = "statement-deleted"
	RuleStatementIdentityChanged = "statement-identity-changed"
)

// RuleInfo describes a rule for reports that list rules (SARIF).
type RuleInfo struct {
	ID       string
	Severity Severity
	Summary  string
}

// Rules lists every rule this package reports, in documentation order.
func Rules() []RuleInfo {
	e, w := SeverityError, SeverityWarning
	return []RuleInfo{
		{RuleSyntax, e, "the file is not valid YAML or JSON"},
		{RuleEmptyFile, e, "the file is empty"},
		{RuleMultipleDocuments, e, "a statement file holds more than one YAML document"},
		{RuleBinaryFile, e, "the file is binary, not text"},
		{RuleInvalidUTF8, e, "the file is not valid UTF-8"},
		{RuleFileTooLarge, e, "the file is larger than the size limit"},
		{RuleYAMLAlias, e, "YAML anchors and aliases are not allowed"},
		{RuleSymlinkOutside, e, "a symbolic link points outside the repository"},
		{RuleSymlinkDirectory, w, "a symbolic link to a directory is not followed"},
		{RulePathOutside, e, "a path given on the command line is outside the repository"},
		{RuleTooManyFindings, e, "a file has more findings than a report shows"},
		{RuleUnknownKey, e, "a statement has a key the format does not know"},
		{RuleDuplicateKey, e, "a key is written twice in the same mapping"},
		{RuleType, e, "a value has the wrong type"},
		{RuleRequired, e, "a required key is missing or empty"},
		{RuleConfigSyntax, e, "vexil.yaml is not valid YAML"},
		{RuleConfigUnknownKey, e, "vexil.yaml has a key the format does not know"},
		{RuleConfigDuplicateKey, e, "vexil.yaml has a key written twice in the same mapping"},
		{RuleConfigType, e, "a value in vexil.yaml has the wrong type"},
		{RuleConfigRequired, e, "a required key of vexil.yaml is missing or empty"},
		{RuleConfigValue, e, "a value in vexil.yaml is not allowed"},
		{RuleStatusValue, e, "status is not an OpenVEX status"},
		{RuleStatusJustification, e, "not_affected needs a valid justification or an impact_statement"},
		{RuleStatusActionStatement, e, "affected needs an action_statement"},
		{RuleStatusForbiddenField, e, "a field is set that the status forbids"},
		{RuleVulnerabilityID, e, "the vulnerability id is not a CVE, GHSA, GO or OSV-style id"},
		{RuleAliasID, e, "an alias is not a valid vulnerability id"},
		{RulePurlSyntax, e, "a subcomponent is not a valid package URL"},
		{RuleProductUnknown, e, "a product is not defined in vexil.yaml"},
		{RuleProductUnmapped, e, "an OpenVEX product matches no product of vexil.yaml"},
		{RuleTagGlobSyntax, e, "a tag glob is not valid path.Match syntax"},
		{RuleConflict, e, "two statements give different statuses for the same vulnerability, product and subcomponent"},
		{RuleDuplicateStatement, w, "two statements say exactly the same thing"},
		{RuleTagsMatchNothing, e, "a tag glob matches no release in the registry"},
		{RuleReleaseWithoutSBOM, w, "a platform of a release has no SBOM to check subcomponents against"},
		{RuleSBOMUnsupported, w, "a release's SBOM is in a format vexil cannot read"},
		{RuleSBOMUnreadable, e, "a release's SBOM is malformed, too large or does not match its digest"},
		{RuleSubcomponentNotInSBOM, e, "a subcomponent is not in the SBOM of a release the statement targets"},
		{RuleStatementDeleted, e, "a statement file of the base revision was deleted; retract by changing its status"},
		{RuleStatementIdentityChanged, e, "a statement file now speaks of another vulnerability or other products"},
	}
}
