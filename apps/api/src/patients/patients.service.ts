import { Injectable } from '@nestjs/common';
import { normalizeIcd10Codes, ScoringService } from '@app/scoring';
import {
  PatientDocument,
  PatientNotFoundError,
  PatientRepository,
  StoredPatient,
} from '@app/storage';
import type { WriteAudit } from '../audit/write-audit.decorator';
import { type Caller, seesIdentifiers } from '../auth/caller.decorator';
import { scoreInputOf } from '../scores/score-input';
import { PatientDto } from './dto/patient.dto';
import { PatientSummaryDto } from './dto/patient-summary.dto';
import { PATIENT_FIELDS, PatientFieldsDto } from './dto/patient-fields.dto';

/** A patient as answered, with its revision (sent as the ETag). */
export interface PatientView {
  patient: PatientDto;
  rev: number;
}

@Injectable()
export class PatientsService {
  constructor(
    private readonly patients: PatientRepository,
    private readonly scoring: ScoringService,
  ) {}

  async create(
    caller: Caller,
    id: string,
    fields: PatientFieldsDto,
    audit: WriteAudit,
  ): Promise<PatientView> {
    const written = await this.patients.create(
      caller.tenant,
      id,
      this.document(fields),
      audit.event,
    );
    audit.written(written.audit);
    return toView(written, caller);
  }

  async get(caller: Caller, id: string): Promise<PatientView> {
    return toView(this.current(await this.find(caller.tenant, id)), caller);
  }

  /** Replaces the 13 fields and re-scores; only at `expectedRev` when given (If-Match). */
  async replace(
    caller: Caller,
    id: string,
    fields: PatientFieldsDto,
    audit: WriteAudit,
    expectedRev?: number,
  ): Promise<PatientView> {
    const doc = this.document(fields);
    const written = await this.patients.replace(caller.tenant, id, doc, expectedRev, audit.event);
    audit.written(written.audit);
    return toView(written, caller);
  }

  /** Erases a patient; PatientNotFoundError when there was none. */
  async erase(caller: Caller, id: string, audit: WriteAudit): Promise<void> {
    const erased = await this.patients.erase(caller.tenant, id, audit.event);
    if (!erased) throw new PatientNotFoundError(id);
    audit.written(erased.audit);
  }

  /** A page of the caller's clinic's patients: names and scores, never identifiers. */
  async list(
    caller: Caller,
    limit: number,
    afterId?: string,
  ): Promise<{ items: PatientSummaryDto[]; nextAfter: string | null; withheld: string[] }> {
    const page = await this.patients.list(caller.tenant, limit, afterId);
    const items = page.items.map((stored) => {
      const { doc } = this.current(stored);
      return { id: stored.id, fname: doc.fields.fname, lname: doc.fields.lname, score: doc.score };
    });
    return { items, nextAfter: page.nextAfter, withheld: page.withheld };
  }

  /** Another clinic's record is as unknown as an id that does not exist: the same 404. */
  private async find(tenant: string, id: string): Promise<StoredPatient> {
    const stored = await this.patients.findById(tenant, id);
    if (!stored) throw new PatientNotFoundError(id);
    return stored;
  }

  /** A record scored by an older model version is re-scored when read. */
  private current(stored: StoredPatient): StoredPatient {
    if (stored.doc.scoreModel === this.scoring.model) return stored;
    return { ...stored, doc: this.document(stored.doc.fields) };
  }

  private document(fields: PatientFieldsDto | Readonly<Record<string, string>>): PatientDocument {
    const copy: Record<string, string> = {};
    for (const name of PATIENT_FIELDS) copy[name] = fields[name];
    const codes = fields.icd10;
    // Kept as one normalised, sorted value, like the other fields; absent when there are none.
    if (codes !== undefined && codes.length > 0) {
      copy.icd10 = (typeof codes === 'string' ? codes.split(',') : normalizeIcd10Codes(codes)).join(
        ',',
      );
    }
    const { score, model } = this.scoring.score(scoreInputOf(copy));
    return { fields: copy, score, scoreModel: model };
  }
}

/** A record's answer keys, in the alphabetical order it is answered in (as the original did). */
const VIEW_KEYS = [...PATIENT_FIELDS, 'icd10', 'id', 'score'].sort();

/** The original's flat JSON, keys in alphabetical order as it sent them. */
function toView(stored: StoredPatient, caller: Caller): PatientView {
  const { icd10, ssn } = stored.doc.fields;
  const values: Record<string, string | number | string[] | undefined> = {
    ...stored.doc.fields,
    ssn: seesIdentifiers(caller) ? ssn : maskIdentifier(ssn),
    icd10: icd10?.split(','),
    id: stored.id,
    score: stored.doc.score,
  };
  const patient: Record<string, unknown> = {};
  for (const key of VIEW_KEYS) if (values[key] !== undefined) patient[key] = values[key];
  return { patient: patient as unknown as PatientDto, rev: stored.rev };
}

/** Every digit but the last four hidden, the layout kept: `***-**-2345`. */
function maskIdentifier(value: string): string {
  let keep = 4;
  let masked = '';
  for (let i = value.length - 1; i >= 0; i--) {
    const char = value[i];
    masked = (char >= '0' && char <= '9' && keep-- <= 0 ? '*' : char) + masked;
  }
  return masked;
}
