import { Module } from '@nestjs/common';
import { ScoringModule } from '@app/scoring';
import { PatientsController } from './patients.controller';
import { PatientsService } from './patients.service';

/** The patient records: POST/GET/PUT/DELETE /patient/{id} and GET /patients. */
@Module({
  imports: [ScoringModule],
  controllers: [PatientsController],
  providers: [PatientsService],
})
export class PatientsModule {}
