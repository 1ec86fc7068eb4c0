// Package node holds the `mini node` commands.
package node
