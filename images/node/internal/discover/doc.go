// Package discover finds a cluster's CAs from nothing but a server URL and
// the cluster token, as agents and joining servers must before they trust
// anything: kube-public/cluster-info is read anonymously, its server CA is
// checked against the hash the token pins, and only then is it read again
// over a verified connection.
package discover
