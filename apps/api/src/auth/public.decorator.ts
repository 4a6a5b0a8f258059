import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = Symbol('isPublic');

/**
 * Marks a route as needing no token: health, metrics and the API docs carry no PHI. Every other
 * route requires a bearer token (see AuthGuard).
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
