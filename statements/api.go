package statements

// ConfigFileName is the name of the configuration file at the root of a
// VEX repository.
const ConfigFileName = "vexil.yaml"
