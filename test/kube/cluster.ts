// Test harness of Kubernetes mode: the API double, a kubeconfig for it, API clients through the real client library, captured logs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { parse } from 'yaml';
import { createKubernetesApi, loadKubeConfig, type KubernetesApi } from '../../src/kube/index.js';
import { startKubernetesApiDouble, type KubeObject, type KubernetesApiDouble } from '../support/k8s-double.js';

export interface Cluster {
  double: KubernetesApiDouble;
  kubeconfig: string;
  /** A new client (one per replica), loaded from the kubeconfig as `--local` does. */
  api(): KubernetesApi;
  /** A client with a token of its own, which `double.clientTokens.delete(token)` cuts off (401). */
  apiWithToken(token: string): Promise<KubernetesApi>;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'imgverify-k8s-test-'));
  const double = await startKubernetesApiDouble({ bookmarkIntervalMs: 100 });
  const kubeconfig = await double.writeKubeconfig(dir);
  return {
    double,
    kubeconfig,
    api: () => createKubernetesApi(loadKubeConfig({ local: true, kubeconfigPath: kubeconfig }), 2_000),
    async apiWithToken(token) {
      const path = await double.writeKubeconfig(dir, token, `kubeconfig-${token}`);
      return createKubernetesApi(loadKubeConfig({ local: true, kubeconfigPath: path }), 2_000);
    },
    async stop() {
      await double.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A manifest (YAML text) as the object a client would store. */
export function objectOf(yamlText: string): KubeObject {
  return parse(yamlText) as KubeObject;
}

export interface CapturedLogger {
  logger: Logger;
  lines: string[];
  /** Parsed log records. */
  records(): Record<string, unknown>[];
}

export function captureLogs(): CapturedLogger {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
