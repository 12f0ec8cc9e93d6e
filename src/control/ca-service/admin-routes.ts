/**
 * Admin routes of the CA (on the 0600 admin socket): `GET /v1/ca/status` and
 * `POST /v1/ca/rotate {step: prepare|activate|retire, force?}`.
 */
import { MeshguardError } from '../../errors.js';
import type { Route } from '../admin/routes.js';
import { ControlError } from '../errors.js';
import type { CaAdmin } from './ca-service.js';

const STEPS = ['prepare', 'activate', 'retire'] as const;

function caOf(ctx: { ca?: CaAdmin }): CaAdmin {
  if (!ctx.ca) throw new ControlError('MG_CONTROL_NOT_FOUND', 'this control plane runs no CA');
  return ctx.ca;
}

export const CA_ADMIN_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/v1/ca/status', handle: async (ctx) => ({ status: 200, body: await caOf(ctx).status() }) },
  {
    method: 'POST', path: '/v1/ca/rotate',
    handle: async (ctx, body) => {
      const b = (typeof body === 'object' && body !== null ? body : {}) as { step?: unknown; force?: unknown };
      const step = STEPS.find((s) => s === b.step);
      if (!step) throw new ControlError('MG_CONTROL_BAD_REQUEST', `step must be one of ${STEPS.join(', ')}`);
      if (b.force !== undefined && typeof b.force !== 'boolean') throw new ControlError('MG_CONTROL_BAD_REQUEST', 'force must be a boolean');
      try {
        return { status: 200, body: await caOf(ctx).rotate(step, { force: b.force === true }) };
      } catch (err) {
        // Rotation refusals (wrong phase, plugged-in CA) are the operator's to fix: answer them with their code.
        if (err instanceof MeshguardError && !(err instanceof ControlError)) throw new ControlError(err.code, err.message, { cause: err });
        throw err;
      }
    },
  },
];
