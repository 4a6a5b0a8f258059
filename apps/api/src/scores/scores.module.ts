import { Module } from '@nestjs/common';
import { ScoringModule } from '@app/scoring';
import { ScoresController } from './scores.controller';
import { ScoresService } from './scores.service';

/** GET /score/{id}. */
@Module({
  imports: [ScoringModule],
  controllers: [ScoresController],
  providers: [ScoresService],
})
export class ScoresModule {}
