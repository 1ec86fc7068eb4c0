// Package cli holds what mini's commands share: the injected dependencies
// (streams, logger, a lazily created runtime), flag binding through viper
// (flags > MINI_* environment > config file > defaults), config file
// reading, output printers, the log format (colour only on a terminal),
// group commands that refuse unknown subcommands, and errors that carry an
// exit code. Library packages never import it.
package cli
