// Package datastore starts what the apiserver stores its state in, in the
// node process itself: kine over SQLite by default (one file under the data
// directory; MySQL/Postgres DSNs pass through kine as k3s does), embedded
// etcd for --cluster-init, or an external etcd given as an http(s) endpoint.
package datastore
