import { KeelError } from '../../core/errors.js';
import type { InventoryService } from '../../core/inventory/inventory-service.js';

/** The project's inventory engine, or a clear error saying where to declare it. */
export function engineOf(ctx: { inventory: InventoryService | undefined }): InventoryService {
  if (ctx.inventory === undefined) {
    throw new KeelError('config', 'the inventory connector needs an inventory: section in keel.yaml (locations and channel rules)', {
      code: 'inventory_missing',
      stage: 'inventory',
    });
  }
  return ctx.inventory;
}
