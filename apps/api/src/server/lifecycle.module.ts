import { Global, Module } from '@nestjs/common';
import { Lifecycle } from './lifecycle';

/** Where the process is in its life: the server flips it on SIGTERM, readiness reads it. */
@Global()
@Module({ providers: [Lifecycle], exports: [Lifecycle] })
export class LifecycleModule {}
