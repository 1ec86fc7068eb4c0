package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// EnvPrefix prefixes the environment variables that set flags:
// --api-port is MINI_API_PORT.
const EnvPrefix = "MINI"

// Bind returns a viper instance resolving each of cmd's flags, in this
// order: the flag when given, MINI_<FLAG> from the environment, then the
// flag's default. A config file (cluster create --config) slots in
// between the environment and the defaults: viper's config layer, which
// the command fills with v.MergeConfigMap.
func Bind(cmd *cobra.Command) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindPFlags(cmd.Flags()); err != nil {
		return nil, err
	}
	return v, nil
}
