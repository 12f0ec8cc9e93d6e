/**
 * The running mesh's configuration, read from the control plane, in the shape
 * `-f` loading gives (`LoadResult`): `meshguard check` without `-f` evaluates
 * against exactly what the proxies were sent.
 */
import { parseDocuments, type LoadResult } from '../config/index.js';
import type { ResourceDocument } from '../control/distribution/resource-records.js';
import { meshToRaw } from '../control/distribution/resource-records.js';
import type { MeshConfig } from '../config/index.js';
import { connectControlPlane } from './control-client.js';

/**
 * Fetches the running resources (with their stored `creationTimestamp`, so
 * "oldest wins" decides as in the proxies) and loads them through the same
 * loader as files. Throws `MG_CONTROL_NOT_RUNNING` when no control plane answers.
 *
 * @example
 *   const loaded = flags.filename.length ? await loadConfig(flags) : await loadRunningConfig(resolveDataDir(flags.dataDir));
 */
export async function loadRunningConfig(dataDir: string): Promise<LoadResult> {
  const admin = await connectControlPlane(dataDir);
  let running: { version: number; mesh: MeshConfig; items: ResourceDocument[] };
  try {
    running = await admin.call('GET', '/v1/config/resources');
  } finally {
    await admin.close();
  }
  const file = `running mesh (config version ${running.version})`;
  return parseDocuments(
    [{ file, text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: running.items }, null, 1) }],
    { meshConfigFile: { file: `${file} mesh config`, text: JSON.stringify(meshToRaw(running.mesh)) } },
  );
}
