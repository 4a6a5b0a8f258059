import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';

/** Paging through patients: at most `limit` per page, continuing after `cursor`. */
export class ListPatientsQueryDto {
  /** Patients per page, 1 to 100. */
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  /** The `nextCursor` of the previous page (opaque). */
  @ApiPropertyOptional({ example: 'cDE6cGF0aWVudF8z' })
  @IsOptional()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'must be a cursor returned by this API' })
  cursor?: string;
}
