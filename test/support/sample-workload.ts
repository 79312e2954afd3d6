import type { KubernetesEmulator } from '../../sandbox/kubernetes/emulator.js';

/** The sample app's Deployment on the Kubernetes emulator: its revision and its container's image. */
export function sampleWorkload(k8s: KubernetesEmulator, namespace: string) {
  const d = k8s.get('Deployment', 'neonpro-web', namespace);
  const spec = d?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined;
  return {
    revision: d?.metadata.annotations?.['deployment.kubernetes.io/revision'],
    image: spec?.template.spec.containers[0]?.image,
  };
}
