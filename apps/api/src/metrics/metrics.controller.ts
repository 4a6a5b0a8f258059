import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from '../openapi/problem.dto';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ApiProblems } from '../openapi/api-responses.decorator';
import { AppMetrics } from './app-metrics';

@ApiTags('health')
@Public()
@ApiProblems(429) // one budget per client address covers public routes too
@Controller()
export class MetricsController {
  constructor(private readonly metrics: AppMetrics) {}

  /**
   * Metrics for Prometheus
   *
   * The text exposition format: request durations by route template and status, Redis errors
   * and reconnects, record changes, process metrics. No label carries a patient id or any other
   * record content. In production served only on the management listener (`MANAGEMENT_PORT`):
   * the API's own port answers 404.
   */
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format, version 0.0.4',
    schema: { type: 'string' },
  })
  @ApiResponse({
    status: 404,
    description: 'In production, on the API port: metrics are served on MANAGEMENT_PORT only.',
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
  })
  async getMetrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.type(this.metrics.contentType);
    return this.metrics.render();
  }
}
