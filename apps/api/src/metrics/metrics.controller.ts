import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { AppMetrics } from './app-metrics';

@ApiTags('health')
@Public()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: AppMetrics) {}

  /**
   * Metrics for Prometheus
   *
   * The text exposition format: request durations by route template and status, Redis errors
   * and reconnects, record changes, process metrics. No label carries a patient id or any other
   * record content.
   */
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format, version 0.0.4',
    schema: { type: 'string' },
  })
  async getMetrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.type(this.metrics.contentType);
    return this.metrics.render();
  }
}
