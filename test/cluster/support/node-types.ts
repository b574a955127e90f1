// The node's interface, as agreed with support/node.ts (built on its own branch). The harness
// imports node.ts by a computed path until both are merged; these types keep it checked.
export interface NodeOptions {
  workDir: string;
  progress?: (line: string) => void;
}

export interface Node {
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  podCIDR: string;
  serviceCIDR: string;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  importImage(ociArchive: string, ref: string): Promise<void>;
  /** A network namespace of the suite's own that reaches Service cluster IPs through kube-proxy. */
  loadNetns: string;
  containerPid(containerID: string): Promise<number>;
  stop(): Promise<void>;
}
