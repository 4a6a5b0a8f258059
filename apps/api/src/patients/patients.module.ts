import { Module } from '@nestjs/common';
import { ScoringModule } from '@app/scoring';
import { ScoresController } from '../scores/scores.controller';
import { PatientsController } from './patients.controller';
import { PatientsService } from './patients.service';

@Module({
  imports: [ScoringModule],
  controllers: [PatientsController, ScoresController],
  providers: [PatientsService],
})
export class PatientsModule {}
