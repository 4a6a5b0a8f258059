import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DEFAULT_WEIGHTS, WEIGHT_SETS, type WeightSet } from '@app/scoring';

export class ScoreQueryDto {
  /** Which weights to score with: `charlson-1987` (default) or `quan-2011`. */
  @ApiPropertyOptional({ enum: WEIGHT_SETS, default: DEFAULT_WEIGHTS })
  @IsOptional()
  @IsIn(WEIGHT_SETS, { message: `must be one of ${WEIGHT_SETS.join(', ')}` })
  weights: WeightSet = DEFAULT_WEIGHTS;
}
