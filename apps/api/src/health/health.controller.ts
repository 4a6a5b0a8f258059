import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ApiProblems } from '../openapi/api-responses.decorator';
import { HealthReportDto } from './health-report.dto';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@ApiProblems(429) // one budget per client address covers public routes too
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /**
   * Liveness
   *
   * The process answers. Nothing else is checked: restart the process only when this fails.
   */
  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: HealthReportDto, description: 'The process answers' })
  getLiveness(): Promise<HealthReportDto> {
    return this.health.live();
  }

  /**
   * Readiness
   *
   * The secrets are loaded and storage answers a ping within HEALTH_TIMEOUT_MS. 503 while it
   * does not, and from the moment the process begins shutting down (`shutting_down`), so that a
   * load balancer stops sending requests here.
   */
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: HealthReportDto, description: 'Ready to serve' })
  @ApiServiceUnavailableResponse({
    type: HealthReportDto,
    description: 'Not ready: a check is down, or the process is shutting down',
  })
  async getReadiness(@Res({ passthrough: true }) res: Response): Promise<HealthReportDto> {
    const report = await this.health.ready();
    if (report.status !== 'ok') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
