import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Express middleware run one after another as one layer of Express's router: what each does is
 * the same as if each were `app.use`d in this order, but the router walks one layer for all of
 * them, not one each (every layer it walks costs a few allocations per request). An error passed
 * to `next`, or thrown, goes to Express as from any middleware.
 */
export function chain(...handlers: readonly RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction) => {
    let index = 0;
    const next: NextFunction = (error?: unknown) => {
      if (error !== undefined && error !== null) return done(error);
      const handler = handlers[index++];
      if (handler === undefined) return done();
      void handler(req, res, next);
    };
    next();
  };
}
