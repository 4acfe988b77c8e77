/**
 * The Grafana dashboard: the JSON docker-compose's Grafana loads is the one built from the source
 * typed by Grafana's schema (`@grafana/schema`; no Grafana server can be had here, so the type
 * check stands in for loading it), and its panels are laid out without overlapping. Its queries
 * run against a real Prometheus in test/e2e/worker-metrics.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../client/project-paths.js';
import { dashboardQueries, llmosDashboard } from '../../scripts/grafana/llmos-dashboard.js';

void describe('Grafana dashboard', () => {
  void it('is the JSON in deploy/grafana (npm run build:dashboard writes it)', () => {
    const file = path.join(projectRoot, 'deploy', 'grafana', 'dashboards', 'llmos.json');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(llmosDashboard)));
  });

  void it('lays its panels out on a 24-column grid without overlaps, each with a unique id', () => {
    const panels = llmosDashboard.panels ?? [];
    const cells = new Set<string>();
    for (const { gridPos } of panels) {
      assert.ok(gridPos && gridPos.x + gridPos.w <= 24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x += 1)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y += 1) {
          assert.ok(!cells.has(`${x},${y}`), `two panels at ${x},${y}`);
          cells.add(`${x},${y}`);
        }
    }
    assert.equal(new Set(panels.map((panel) => panel.id)).size, panels.length);
    assert.ok(dashboardQueries().length >= 15);
  });
});
