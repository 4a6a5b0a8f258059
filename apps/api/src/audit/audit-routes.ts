import { Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { match, type MatchFunction } from 'path-to-regexp';
import { AUDITED_ACTION, type AuditAction } from './audited.decorator';

interface AuditedRoute {
  method: string;
  action: AuditAction;
  matches: MatchFunction<Partial<Record<string, string>>>;
}

export interface AuditedRequest {
  action: AuditAction;
  /** The route's `:id` (it may be malformed: the audit still names what was asked for). */
  patientId?: string;
}

/**
 * Which requests are audited, read from the @Audited routes themselves, so that a request is
 * recognised before routing: one refused by the body parser or the rate limit is audited too.
 */
@Injectable()
export class AuditRoutes implements OnModuleInit {
  private routes: AuditedRoute[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    this.routes = this.discovery.getControllers().flatMap((wrapper) => {
      const instance = wrapper.instance as object | undefined;
      if (!instance) return [];
      const prototype = Object.getPrototypeOf(instance) as object;
      const base = this.pathsOf(instance.constructor);
      return this.scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = (prototype as Record<string, unknown>)[name] as () => unknown;
        const action = this.reflector.get<AuditAction | undefined>(AUDITED_ACTION, handler);
        if (!action) return [];
        const method = RequestMethod[this.reflector.get<RequestMethod>(METHOD_METADATA, handler)];
        return base.flatMap((prefix) =>
          this.pathsOf(handler).map((path) => ({
            method,
            action,
            matches: match<Partial<Record<string, string>>>(join(prefix, path), { decode }),
          })),
        );
      });
    });
  }

  /** The audited route this request is for, or null. */
  find(method: string, path: string): AuditedRequest | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const found = route.matches(path);
      if (!found) continue;
      const id = found.params.id;
      return id === undefined ? { action: route.action } : { action: route.action, patientId: id };
    }
    return null;
  }

  private pathsOf(target: object): string[] {
    const paths = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
    if (paths === undefined) return ['/'];
    return Array.isArray(paths) ? paths : [paths];
  }
}

/** A malformed escape (`%ZZ`) is kept as sent rather than failing the match. */
function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function join(prefix: string, path: string): string {
  const joined = `/${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}
