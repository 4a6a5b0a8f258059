import { Injectable } from '@nestjs/common';

/**
 * Where the process is in its life, for whoever must answer differently while it stops: once
 * shutdown has begun, readiness answers 503 so load balancers stop sending traffic here.
 */
@Injectable()
export class Lifecycle {
  private stopping = false;

  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Called by the server when it starts draining (SIGTERM); there is no way back. */
  beginShutdown(): void {
    this.stopping = true;
  }
}
