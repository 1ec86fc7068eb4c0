// Package kubeconfig reads a cluster's kubeconfig from its server node,
// rewrites it for the host, and merges it into the user's kubeconfig files
// following kubectl's rules.
//
// Which file is written follows kubectl (client-go's PathOptions): an
// explicit --kubeconfig file wins; else $KUBECONFIG, a list of files where
// an entry is updated in the first file that defines it and a new entry
// goes to the first file that exists (the last one when none exists); else
// ~/.kube/config. Every write takes kubectl's "<file>.lock" lock and replaces
// the file atomically (temporary file + rename, through symlinks), and
// entries mini does not own are never touched. Serialisation is client-go's
// clientcmd, so the files stay what kubectl expects.
package kubeconfig
