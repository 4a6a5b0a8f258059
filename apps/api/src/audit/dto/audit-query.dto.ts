import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** Paging through audit events: at most `limit` per page, continuing after `cursor`. */
export class AuditQueryDto {
  /** Events per page, 1 to 500. */
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  /** The `nextCursor` of the previous page: the id of the last event it held. */
  @ApiPropertyOptional({ example: '1764583200000-0' })
  @IsOptional()
  @Matches(/^\d{1,20}-\d{1,20}$/, { message: 'must be a cursor returned by this API' })
  cursor?: string;
}
