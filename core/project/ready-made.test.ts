import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { copyReadyMade, findReadyMade, listReadyMade } from './ready-made.js';

let root: TempProject | undefined;
let target: TempProject | undefined;
afterEach(() => {
  root?.remove();
  target?.remove();
  root = undefined;
  target = undefined;
});

/** A folder of ready-made pipelines: one complete, one without keel.yaml (not a ready-made pipeline). */
function catalogue(): TempProject {
  return tempProject({
    'orders-to-erp/keel.yaml': `# Ready-made: the roles below are bound to systems.
name: orders-to-erp
description: Orders to the ERP.
connections:
  shop: { connector: shopify, config: { shop: "\${env:SHOP}", access_token: "\${env:TOKEN}" } }   # \${env:NOT_THIS}
  erp_inbox: { connector: file, config: { root: ./data/erp } }
`,
    'orders-to-erp/pipelines/orders.yaml': 'name: orders\n',
    'orders-to-erp/README.md': '# orders-to-erp\n',
    'orders-to-erp/.keel/state.db': 'state of a run made in the folder',
    'notes/README.md': 'not a ready-made pipeline',
  });
}

describe('ready-made pipelines', () => {
  it('are the folders holding a keel.yaml, with its description, roles and the variables it reads (comments aside)', () => {
    root = catalogue();
    expect(listReadyMade(root.dir)).toEqual([
      {
        name: 'orders-to-erp',
        description: 'Orders to the ERP.',
        dir: root.path('orders-to-erp'),
        connections: [
          { role: 'shop', connector: 'shopify' },
          { role: 'erp_inbox', connector: 'file' },
        ],
        environment: ['SHOP', 'TOKEN'],
      },
    ]);
    expect(listReadyMade(root.path('missing'))).toEqual([]);
  });

  it('an unknown name gets the closest as a suggestion when it is a likely typo, and the list', () => {
    root = catalogue();
    expect(findReadyMade('order-to-erp', root.dir)).toMatchObject({ found: undefined, suggestion: 'orders-to-erp', available: [{ name: 'orders-to-erp' }] });
    expect(findReadyMade('stock', root.dir)).toMatchObject({ found: undefined, suggestion: undefined });
    expect(findReadyMade('orders-to-erp', root.dir).found?.name).toBe('orders-to-erp');
  });

  it('a copy is a new project under its own name: comments kept, state left behind, files already there kept as they are', () => {
    root = catalogue();
    target = tempProject({ 'README.md': 'my notes\n' });
    const readyMade = findReadyMade('orders-to-erp', root.dir).found;
    if (readyMade === undefined) throw new Error('not found');
    const copied = copyReadyMade(readyMade, target.dir, 'acme-erp');
    expect(copied).toEqual({ written: ['.gitignore', 'keel.yaml', 'pipelines/orders.yaml'], kept: ['README.md'] });
    const keel = readFileSync(target.path('keel.yaml'), 'utf8');
    expect(keel.split('\n').slice(0, 3)).toEqual(['# Ready-made: the roles below are bound to systems.', 'name: acme-erp', 'description: Orders to the ERP.']);
    expect(readFileSync(target.path('README.md'), 'utf8')).toBe('my notes\n');
    expect(existsSync(target.path('.keel'))).toBe(false);
    expect(readFileSync(target.path('.gitignore'), 'utf8')).toBe('.keel/\n');
  });
});
