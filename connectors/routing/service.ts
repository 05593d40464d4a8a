import { KeelError } from '../../core/errors.js';
import type { RoutingService } from '../../core/routing/routing-service.js';

/** The project's routing, or a clear error saying where to declare it. */
export function routingOf(ctx: { routing: RoutingService | undefined }): RoutingService {
  if (ctx.routing === undefined) {
    throw new KeelError('config', 'the routing connector needs a routing: section in keel.yaml (a profile) next to the inventory: section', {
      code: 'routing_missing',
      stage: 'routing',
    });
  }
  return ctx.routing;
}
