package server

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/images/node/internal/await"
	"github.com/minictl/mini/images/node/internal/discover"
	"github.com/minictl/mini/images/node/internal/token"
)

// Objects that let agents join with nothing but the cluster token, using
// Kubernetes' own TLS bootstrapping:
//   - a bootstrap token derived from the cluster secret;
//   - kube-public/cluster-info, readable anonymously, carrying the server CA
//     (which the agent checks against the hash in its token before trusting
//     it) and the client CA kubelets verify the apiserver with;
//   - RBAC so token holders can request node client certificates, which the
//     controller-manager approves and signs, and so kube-proxy on an agent
//     can run with the token (system:node-proxier).
const (
	agentGroup  = "system:bootstrappers:mini:agents"
	ClusterInfo = "cluster-info"
)

func ensureBootstrap(ctx context.Context, cs kubernetes.Interface, tok token.Token, serverCA, clientCA, sealedBundle []byte, serverURL string) error {
	id, secret := tok.Bootstrap()
	kc := clientcmdapi.NewConfig()
	kc.Clusters[""] = &clientcmdapi.Cluster{Server: serverURL, CertificateAuthorityData: serverCA}
	kcData, err := clientcmd.Write(*kc)
	if err != nil {
		return fmt.Errorf("cluster-info kubeconfig: %w", err)
	}
	objs := []func(context.Context) error{
		func(ctx context.Context) error {
			return upsert(ctx, cs.CoreV1().Secrets("kube-system").Create, cs.CoreV1().Secrets("kube-system").Update, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: "kube-system"},
				Type:       corev1.SecretTypeBootstrapToken,
				StringData: map[string]string{"token-id": id, "token-secret": secret, "usage-bootstrap-authentication": "true",
					"usage-bootstrap-signing": "true", "auth-extra-groups": agentGroup, "description": "mini agent join token"},
			})
		},
		func(ctx context.Context) error {
			return upsert(ctx, cs.CoreV1().Secrets("kube-system").Create, cs.CoreV1().Secrets("kube-system").Update, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: BundleSecret, Namespace: "kube-system"},
				Data:       map[string][]byte{bundleKey: sealedBundle},
			})
		},
		func(ctx context.Context) error {
			return upsert(ctx, cs.CoreV1().ConfigMaps("kube-public").Create, cs.CoreV1().ConfigMaps("kube-public").Update, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: ClusterInfo, Namespace: "kube-public"},
				Data:       map[string]string{"kubeconfig": string(kcData), discover.ClientCAKey: string(clientCA)},
			})
		},
	}
	// Anyone may read cluster-info: joiners check its CA against their token.
	objs = append(objs, reader(cs, "kube-public", "mini:cluster-info-reader", "configmaps", ClusterInfo,
		rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "system:anonymous"})...)
	// Token holders may read the sealed bundle (a joining server opens it).
	objs = append(objs, reader(cs, "kube-system", "mini:server-bundle-reader", "secrets", BundleSecret,
		rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: agentGroup})...)
	for name, role := range map[string]string{
		"mini:agent-bootstrap":   "system:node-bootstrapper",
		"mini:agent-autoapprove": "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
		"mini:agent-kube-proxy":  "system:node-proxier",
	} {
		objs = append(objs, clusterRoleBinding(cs, name, role, agentGroup))
	}
	objs = append(objs, clusterRoleBinding(cs, "mini:node-autorenew", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", "system:nodes"))
	return await.Until(ctx, 250*time.Millisecond, "the agent bootstrap objects", func(ctx context.Context) error {
		for _, o := range objs {
			if err := o(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// reader lets subject get one object (resource/object in ns): a Role
// named name and its RoleBinding.
func reader(cs kubernetes.Interface, ns, name, resource, object string, subject rbacv1.Subject) []func(context.Context) error {
	return []func(context.Context) error{
		func(ctx context.Context) error {
			return upsert(ctx, cs.RbacV1().Roles(ns).Create, cs.RbacV1().Roles(ns).Update, &rbacv1.Role{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{resource}, ResourceNames: []string{object}, Verbs: []string{"get"}}},
			})
		},
		func(ctx context.Context) error {
			return upsert(ctx, cs.RbacV1().RoleBindings(ns).Create, cs.RbacV1().RoleBindings(ns).Update, &rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
				Subjects:   []rbacv1.Subject{subject},
			})
		},
	}
}

func clusterRoleBinding(cs kubernetes.Interface, name, role, group string) func(context.Context) error {
	return func(ctx context.Context) error {
		return upsert(ctx, cs.RbacV1().ClusterRoleBindings().Create, cs.RbacV1().ClusterRoleBindings().Update, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: group}},
		})
	}
}

// upsert creates obj, or replaces it when it exists (a restarted server may
// have a new CA bundle or token to publish).
func upsert[T any](ctx context.Context, create func(context.Context, T, metav1.CreateOptions) (T, error),
	update func(context.Context, T, metav1.UpdateOptions) (T, error), obj T) error {
	_, err := create(ctx, obj, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = update(ctx, obj, metav1.UpdateOptions{})
	}
	return err
}
