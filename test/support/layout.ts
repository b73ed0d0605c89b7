// Reads what an OCI image layout holds on disk, for tests that compare layouts byte for byte.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Every `blobs/sha256/<hex>` file of the layout at `layout`, by name, in name order. */
export async function layoutBlobFiles(layout: string): Promise<Map<string, Buffer>> {
  const dir = join(layout, 'blobs/sha256');
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) out.set(name, await readFile(join(dir, name)));
  return out;
}
