/**
 * Writes the Grafana dashboard (scripts/grafana/llmos-dashboard.ts, typed by Grafana's schema) to
 * deploy/grafana/dashboards/llmos.json, where docker-compose's Grafana loads it.
 *
 *   npm run build:dashboard
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { projectRoot } from '../client/project-paths.js';
import { llmosDashboard } from './grafana/llmos-dashboard.js';

const dashboardFile = path.join(projectRoot, 'deploy', 'grafana', 'dashboards', 'llmos.json');

// Formatted as the repository formats JSON, so the written file passes `npm run format:check`.
const options = (await resolveConfig(dashboardFile)) ?? {};
writeFileSync(
  dashboardFile,
  await format(JSON.stringify(llmosDashboard), { ...options, filepath: dashboardFile }),
);
console.log(`wrote ${path.relative(projectRoot, dashboardFile)}`);
