// Package servicelb gives Services of type LoadBalancer an address without a
// cloud provider: it writes the InternalIP of every Ready node into
// status.loadBalancer.ingress, and keeps that list current as nodes come,
// go and change readiness.
//
// No proxy pods are needed, unlike k3s's klipper-lb: kube-proxy (iptables
// mode) programs each ingress IP as a virtual IP for the Service's ports, so
// a connection to node-IP:port on any node reaches the endpoints. Since
// mini's nodes are containers on a Docker network, the node IPs are
// reachable from the host and from other containers on that network.
//
// Services with spec.loadBalancerClass set belong to another implementation
// and are never touched. A Service that stops being type LoadBalancer has
// its ingress cleared.
//
// Every server runs the controller, but only the holder of the Lease
// kube-system/mini-servicelb acts, so servers never race each other writing
// the same status.
package servicelb
